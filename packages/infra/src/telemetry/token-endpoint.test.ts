import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, policyOf, statementBySid, stringsOf, type ResourceRecorder, settle, unwrap } from "../testing";
import type * as Rules from "../rules";
import type * as Telemetry from "./index";

let recorder: ResourceRecorder;
let t: typeof Telemetry;
let rules: typeof Rules;

beforeAll(async () => {
  recorder = await installMocks({ accountId: "222222222222", region: "us-east-1" });
  t = await import("./index.js");
  rules = await import("../rules/index.js");
});
beforeEach(() => recorder.clear());

const code = {
  archive: new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.StringAsset("export const handler = async () => ({})") }),
  handler: "index.handler",
};
const args = (over: Partial<Telemetry.TokenEndpointArgs> = {}): Telemetry.TokenEndpointArgs => ({
  namePrefix: "ccb-prod",
  code,
  audience: "claude-code-telemetry",
  identityCenterRolePrefix: "AWSReservedSSO_ClaudeCode_",
  identityStore: { id: "d-9067a1b2c3", region: "us-east-1", accountId: "222222222222" },
  logKmsKeyArn: "arn:aws:kms:us-east-1:222222222222:key/1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d",
  logRetentionDays: 90,
  permissionsBoundaryArn: "arn:aws:iam::222222222222:policy/ccb-prod-workload-boundary",
  ...over,
});

describe("TokenEndpoint", () => {
  it("passes every security rule; only the function may sign, with exactly Sign and GetPublicKey", async () => {
    const e = new t.TokenEndpoint("prod-token", args());
    await unwrap(e.tokenUrl);
    await settle();
    expect(rules.evaluateRules(recorder.resources).flatMap((v) => v.findings)).toEqual([]);
    const permissions = policyOf(recorder.one("aws:iam/rolePolicy:RolePolicy", "prod-token-permissions").inputs.policy)!.Statement;
    expect(statementBySid(permissions, "SignTokens").Action).toEqual(["kms:GetPublicKey", "kms:Sign"].sort());
    expect(statementBySid(permissions, "ReadUserAttributes").Resource).toEqual([
      "arn:aws:identitystore::222222222222:identitystore/d-9067a1b2c3",
      "arn:aws:identitystore:::user/*",
    ]);
    const key = recorder.one("aws:kms/key:Key", "prod-token-signing-key");
    const root = statementBySid(policyOf(key.inputs.policy)!.Statement, "AccountAdministers");
    expect(stringsOf(root.Action).filter((a) => /Sign|Decrypt|Encrypt|GenerateDataKey/.test(a))).toEqual([]);
    expect(e.invokeStatements()[0]!.Action).toEqual(["execute-api:Invoke"]);
  });

  it("refuses tokens longer than an hour and an endpoint nobody may call", () => {
    expect(() => new t.TokenEndpoint("long", args({ ttlSeconds: 7200 }))).toThrow(/ttlSeconds.*at most an hour/);
    expect(
      () =>
        new t.TokenEndpoint("nobody", {
          ...Object.fromEntries(Object.entries(args()).filter(([k]) => k !== "identityCenterRolePrefix")),
          workloadRoleNames: [],
        } as unknown as Telemetry.TokenEndpointArgs),
    ).toThrow(/name who may get tokens/);
  });
});
