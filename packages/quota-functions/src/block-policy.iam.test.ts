/**
 * The deny documents evaluated by an IAM policy engine (@cloud-copilot/iam-simulate), together with an
 * allow like the developers' model-access grant: blocked sessions are explicitly denied, everyone else
 * keeps access, and the "nobody blocked" document denies nobody. Every simulation also asserts the
 * engine used the context keys given (none silently dropped).
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { blockDocument, packBlockPolicies } from "./block-policy.js";
import { sessionNameOf } from "./identity.js";

const ACCOUNT = "111111111111";
const ROLE = "ccb-prod-bedrock-users";
const MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0";
const ALLOW = {
  Version: "2012-10-17",
  Statement: [
    { Sid: "InvokeClaude", Effect: "Allow", Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], Resource: [MODEL] },
  ],
};

async function verdict(
  session: string,
  deny: object[],
  action = "bedrock:InvokeModel",
  context: Record<string, string> = {},
): Promise<string> {
  const r = await runSimulation(
    {
      identityPolicies: [ALLOW, ...deny].map((policy, i) => ({ name: `p${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/${session}`,
        resource: { accountId: ACCOUNT, resource: MODEL },
        contextVariables: { "aws:userid": `AROAEXAMPLEID123456789:${session}`, ...context },
      },
    },
    {},
  );
  if (r.resultType === "error") throw new Error(JSON.stringify(r.errors));
  const ignored = r.resultType === "single" ? (r.result.ignoredContextKeys ?? []) : [];
  expect(ignored.filter((k: string) => !k.startsWith("aws:PrincipalTag/") || Object.keys(context).length > 0)).toEqual([]);
  return r.overallResult;
}

describe("block policies, evaluated", () => {
  it("deny exactly the blocked users' sessions, for both invoke actions", async () => {
    const doc = blockDocument(["alice@example.com", "Carol@Example.com"]);
    expect(await verdict("alice@example.com", [doc])).toBe("ExplicitlyDenied");
    expect(await verdict("alice@example.com", [doc], "bedrock:InvokeModelWithResponseStream")).toBe("ExplicitlyDenied");
    expect(await verdict("Carol@Example.com", [doc])).toBe("ExplicitlyDenied");
    expect(await verdict("bob@example.com", [doc])).toBe("Allowed");
    // A longer session that merely ends with a blocked email is someone else.
    expect(await verdict("malice@example.com", [doc])).toBe("Allowed");
  });

  it("the empty document blocks nobody", async () => {
    expect(await verdict("alice@example.com", [blockDocument([])])).toBe("Allowed");
  });

  it("a packed set spread over several policies denies every member", async () => {
    const emails = Array.from({ length: 300 }, (_, i) => `dev${i}@example-enterprise.com`);
    const { documents, overflow } = packBlockPolicies(emails.map(sessionNameOf), 3);
    expect(overflow).toEqual([]);
    for (const e of [emails[0]!, emails[150]!, emails[299]!]) expect(await verdict(e, documents)).toBe("ExplicitlyDenied");
    expect(await verdict("someone.else@example.com", documents)).toBe("Allowed");
  });

  it("Cognito stages: the email principal tag, case-insensitively", async () => {
    const doc = blockDocument(["alice@example.com"], { kind: "principal-tag", tag: "email" });
    expect(
      await verdict("CognitoIdentityCredentials", [doc], "bedrock:InvokeModel", { "aws:PrincipalTag/email": "Alice@Example.com" }),
    ).toBe("ExplicitlyDenied");
    expect(await verdict("CognitoIdentityCredentials", [doc], "bedrock:InvokeModel", { "aws:PrincipalTag/email": "bob@example.com" })).toBe(
      "Allowed",
    );
  });
});
