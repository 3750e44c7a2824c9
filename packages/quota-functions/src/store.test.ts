import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { batchPut } from "./dynamo-util.js";
import { pool, withThrottleBackoff } from "./store.js";

const err = (name: string) => Object.assign(new Error(name), { name });

describe("bounded parallel writes", () => {
  it("retries throttled writes with growing waits, then succeeds", async () => {
    const waits: number[] = [];
    let calls = 0;
    const r = await withThrottleBackoff(
      async () => (++calls < 4 ? Promise.reject(err("ProvisionedThroughputExceededException")) : "ok"),
      8,
      25,
      async (ms) => void waits.push(ms),
    );
    expect(r).toBe("ok");
    expect(calls).toBe(4);
    expect(waits).toHaveLength(3);
    expect(waits.every((w, i) => w >= 0 && w <= 25 * 2 ** (i + 1))).toBe(true);
  });

  it("gives up after the last attempt, and never retries a failed condition or another error", async () => {
    let calls = 0;
    await expect(
      withThrottleBackoff(
        async () => {
          calls++;
          throw err("ThrottlingException");
        },
        3,
        1,
        async () => undefined,
      ),
    ).rejects.toThrow("ThrottlingException");
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      withThrottleBackoff(
        async () => {
          calls++;
          throw err("ConditionalCheckFailedException");
        },
        3,
        1,
        async () => undefined,
      ),
    ).rejects.toThrow("ConditionalCheckFailedException");
    expect(calls).toBe(1);
  });

  it("keeps at most the limit in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await pool(
      Array.from({ length: 50 }, (_, i) => i),
      7,
      async (i) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        return i * 2;
      },
    );
    expect(peak).toBe(7);
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });
});

describe("batched record writes", () => {
  // The emulator never leaves items unprocessed; the service does under throttling. A stand-in client
  // that answers like the service (UnprocessedItems) for the first requests.
  const client = (unprocessedFirst: number, keep = 1) => {
    const requests: number[] = [];
    let left = unprocessedFirst;
    const doc = {
      send: async (cmd: { input: { RequestItems: Record<string, Array<{ PutRequest: { Item: Record<string, unknown> } }>> } }) => {
        const reqs = cmd.input.RequestItems.usage!;
        requests.push(reqs.length);
        if (left-- > 0) return { UnprocessedItems: { usage: reqs.slice(keep) } };
        return {};
      },
    } as unknown as DynamoDBDocumentClient;
    return { doc, requests };
  };
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: "p", sk: String(i) }));

  it("writes 25 items a request and sends what the service left unprocessed again", async () => {
    const { doc, requests } = client(2);
    await batchPut(doc, "usage", items(60), 1, undefined, async () => undefined);
    // 60 items: 25 (24 left) → 24 (23 left) → 23, then 25 and 10.
    expect(requests).toEqual([25, 24, 23, 25, 10]);
  });

  it("fails after its retries, and stops before a request when the guard throws", async () => {
    await expect(batchPut(client(100, 0).doc, "usage", items(3), 1, undefined, async () => undefined)).rejects.toThrow(
      /left 3 items unprocessed after retries/,
    );
    const { doc, requests } = client(0);
    let calls = 0;
    const guard = () => {
      if (++calls > 1) throw new Error("lease ends");
    };
    await expect(batchPut(doc, "usage", items(60), 1, guard, async () => undefined)).rejects.toThrow("lease ends");
    expect(requests).toEqual([25]);
  });
});
