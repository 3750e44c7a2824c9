import {
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListPolicyVersionsCommand,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryLogger } from "./log.js";
import {
  applyBlockPolicies,
  blockDocument,
  deniedValues,
  MANAGED_POLICY_MAX_CHARS,
  packBlockPolicies,
  PLACEHOLDER_PATTERN,
  render,
} from "./block-policy.js";
import { sessionNameOf } from "./identity.js";

const emails = (n: number) => Array.from({ length: n }, (_, i) => `developer.number.${String(i).padStart(4, "0")}@example-enterprise.com`);

describe("block policy documents", () => {
  it("denies model invocation for the blocked sessions by aws:userid", () => {
    expect(blockDocument(["alice@example.com"])).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyQuotaBlockedUsers",
          Effect: "Deny",
          Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
          Resource: "*",
          Condition: { StringLike: { "aws:userid": ["*:alice@example.com"] } },
        },
      ],
    });
  });

  it("an empty set renders a document whose pattern matches no valid session name", () => {
    const doc = blockDocument([]);
    expect(doc.Statement[0]!.Condition.StringLike!["aws:userid"]).toEqual([PLACEHOLDER_PATTERN]);
    // `~` is outside [\w+=,.@-], so no role session can carry it.
    expect(/^[\w+=,.@-]+$/.test(PLACEHOLDER_PATTERN.slice(2))).toBe(false);
  });

  it("packs many users into documents that each stay under 6 144 characters, deterministically", () => {
    const sessions = emails(300).map(sessionNameOf);
    const a = packBlockPolicies(sessions, 3);
    const b = packBlockPolicies([...sessions].reverse(), 3);
    expect(a).toEqual(b);
    expect(a.overflow).toEqual([]);
    for (const d of a.documents) expect(render(d).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    const all = a.documents.flatMap(deniedValues);
    expect(new Set(all)).toEqual(new Set(sessions.map((s) => `*:${s}`)));
  });

  it("reports the users that do not fit instead of writing an oversized policy", () => {
    const sessions = emails(400).map(sessionNameOf);
    const { documents, overflow } = packBlockPolicies(sessions, 2);
    expect(documents).toHaveLength(2);
    expect(overflow.length).toBeGreaterThan(0);
    const inside = documents.flatMap(deniedValues).length;
    expect(inside + overflow.length).toBe(400);
  });

  it("keys on a principal tag (case-insensitive) for Cognito identity pools", () => {
    const doc = blockDocument(["alice@example.com"], { kind: "principal-tag", tag: "email" });
    expect(doc.Statement[0]!.Condition).toEqual({ StringEqualsIgnoreCase: { "aws:PrincipalTag/email": ["alice@example.com"] } });
    expect(deniedValues(blockDocument([], { kind: "principal-tag", tag: "email" }))).toEqual([]);
  });

  it("fills unused slots with the placeholder document", () => {
    const { documents } = packBlockPolicies(["a@example.com"], 3);
    expect(documents.map((d) => d.Statement[0]!.Condition.StringLike!["aws:userid"])).toEqual([
      ["*:a@example.com"],
      [PLACEHOLDER_PATTERN],
      [PLACEHOLDER_PATTERN],
    ]);
  });
});

describe("applying block policies with IAM", () => {
  const iam = mockClient(IAMClient);
  const ARN = "arn:aws:iam::111111111111:policy/ccb-prod-quota-block-0";
  beforeEach(() => iam.reset());

  it("creates a new default version only when the document changed", async () => {
    iam.on(GetPolicyCommand).resolves({ Policy: { DefaultVersionId: "v1" } });
    iam
      .on(GetPolicyVersionCommand)
      .resolves({ PolicyVersion: { Document: encodeURIComponent(JSON.stringify(blockDocument([]), null, 2)) } });
    iam.on(ListPolicyVersionsCommand).resolves({ Versions: [{ VersionId: "v1", IsDefaultVersion: true }] });
    const same = await applyBlockPolicies(new IAMClient({}), [ARN], [blockDocument([])], memoryLogger());
    expect(same).toEqual([]);
    expect(iam.commandCalls(CreatePolicyVersionCommand)).toHaveLength(0);
    const changed = await applyBlockPolicies(new IAMClient({}), [ARN], [blockDocument(["alice@example.com"])], memoryLogger());
    expect(changed).toEqual([ARN]);
    const call = iam.commandCalls(CreatePolicyVersionCommand)[0]!.args[0].input;
    expect(call).toEqual({ PolicyArn: ARN, PolicyDocument: render(blockDocument(["alice@example.com"])), SetAsDefault: true });
  });

  it("deletes the oldest non-default version when IAM's five versions are used", async () => {
    iam.on(GetPolicyCommand).resolves({ Policy: { DefaultVersionId: "v5" } });
    iam.on(GetPolicyVersionCommand).resolves({ PolicyVersion: { Document: encodeURIComponent(render(blockDocument([]))) } });
    iam.on(ListPolicyVersionsCommand).resolves({
      Versions: [5, 4, 3, 2, 1].map((i) => ({
        VersionId: `v${i}`,
        IsDefaultVersion: i === 5,
        CreateDate: new Date(Date.UTC(2026, 10, i)),
      })),
    });
    await applyBlockPolicies(new IAMClient({}), [ARN], [blockDocument(["bob@example.com"])], memoryLogger());
    expect(iam.commandCalls(DeletePolicyVersionCommand).map((c) => c.args[0].input)).toEqual([{ PolicyArn: ARN, VersionId: "v1" }]);
    expect(iam.commandCalls(CreatePolicyVersionCommand)).toHaveLength(1);
  });
});
