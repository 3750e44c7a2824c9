import type { LambdaClient } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { lambdaShardInvoker } from "./handler.js";

/** A stand-in for the Lambda API (AWS is the only thing mocked): records the request, answers as Lambda does. */
function lambda(answer: { Payload?: Uint8Array; FunctionError?: string }) {
  const sent: Array<{ FunctionName?: string; InvocationType?: string; Payload?: Uint8Array }> = [];
  const client = {
    send: async (cmd: { input: (typeof sent)[number] }) => {
      sent.push(cmd.input);
      return answer;
    },
  } as unknown as LambdaClient;
  return { client, sent };
}

describe("shard invocation", () => {
  it("invokes the worker synchronously with the shard and returns its result", async () => {
    const result = { shard: { index: 2, count: 4 }, applied: 7 };
    const { client, sent } = lambda({ Payload: Buffer.from(JSON.stringify(result)) });
    expect(await lambdaShardInvoker(client, "ccb-prod-quota-aggregate-worker")({ index: 2, count: 4 })).toEqual(result);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ FunctionName: "ccb-prod-quota-aggregate-worker", InvocationType: "RequestResponse" });
    expect(JSON.parse(Buffer.from(sent[0]!.Payload!).toString())).toEqual({ shard: { index: 2, count: 4 } });
  });

  it("fails the shard when the worker failed (a function error is a 200 answer with FunctionError set)", async () => {
    const { client } = lambda({
      FunctionError: "Unhandled",
      Payload: Buffer.from('{"errorMessage":"Task timed out after 270.00 seconds"}'),
    });
    await expect(lambdaShardInvoker(client, "w")({ index: 1, count: 4 })).rejects.toThrow(/shard 1 of 4: Unhandled: .*timed out/);
  });
});
