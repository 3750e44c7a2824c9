import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, policyOf, type ResourceRecorder, settle, unwrap } from "../testing";
import { allow } from "../iam";
import type * as Rules from "../rules";
import type * as XA from "./index";

let recorder: ResourceRecorder;
let xa: typeof XA;
let rules: typeof Rules;
let aws: typeof import("@pulumi/aws");

beforeAll(async () => {
  recorder = await installMocks({ accountId: "222222222222", region: "us-east-1" });
  xa = await import("./index.js");
  rules = await import("../rules/index.js");
  aws = await import("@pulumi/aws");
});
beforeEach(() => recorder.clear());

const invoke = [allow(["bedrock:InvokeModel"], ["arn:aws:bedrock:us-east-1::foundation-model/x"], { sid: "Invoke" })];

describe("CrossAccountRole", () => {
  it("trusts the named accounts only within the organization and grants invoke only", async () => {
    const boundary = "arn:aws:iam::111111111111:policy/ccb-prod-workload-boundary";
    const role = new xa.CrossAccountRole("xa", {
      roleName: "ccb-prod-workload-invoke",
      sourceAccountIds: ["444444444444"],
      organizationId: "o-abcdefghij",
      permissions: invoke,
      permissionsBoundaryArn: boundary,
    });
    await unwrap(role.roleArn);
    await settle();
    const r = recorder.one("aws:iam/role:Role", "xa-role");
    expect(r.inputs.name).toBe("ccb-prod-workload-invoke");
    expect(r.inputs.permissionsBoundary).toBe(boundary);
    expect(r.inputs.maxSessionDuration).toBe(3600);
    expect(policyOf(r.inputs.assumeRolePolicy)!.Statement).toEqual([
      {
        Sid: "CrossAccountCallers",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::444444444444:root"] },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" } },
      },
    ]);
    expect(policyOf(recorder.one("aws:iam/rolePolicy:RolePolicy", "xa-invoke").inputs.policy)!.Statement).toEqual([
      { Sid: "Invoke", Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource: ["arn:aws:bedrock:us-east-1::foundation-model/x"] },
    ]);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("supports external ids and permission-set ARN patterns", async () => {
    new xa.CrossAccountRole("ext", {
      roleName: "r",
      sourceAccountIds: ["444444444444"],
      externalId: "shared-secret-1",
      principalArnPatterns: ["arn:aws:iam::444444444444:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_ClaudeCode_*"],
      permissions: invoke,
    });
    await settle();
    const trust = policyOf(recorder.one("aws:iam/role:Role", "ext-role").inputs.assumeRolePolicy)!.Statement[0];
    expect(trust.Condition).toEqual({
      StringEquals: { "sts:ExternalId": "shared-secret-1" },
      ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::444444444444:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_ClaudeCode_*"] },
    });
  });

  it("admits only the named source roles (aws:PrincipalArn), not every principal of the account", async () => {
    new xa.CrossAccountRole("named", {
      roleName: "r3",
      sourceAccountIds: ["444444444444", "555555555555"],
      sourceRoleNames: ["ci-code-review"],
      organizationId: "o-abcdefghij",
      permissions: invoke,
    });
    await settle();
    const trust = policyOf(recorder.one("aws:iam/role:Role", "named-role").inputs.assumeRolePolicy)!.Statement[0];
    expect(trust.Condition?.ArnLike).toEqual({
      "aws:PrincipalArn": ["arn:aws:iam::444444444444:role/ci-code-review", "arn:aws:iam::555555555555:role/ci-code-review"],
    });
  });

  it("gives a source-account role sts:AssumeRole on exactly this role, through the source account's provider", async () => {
    const role = new xa.CrossAccountRole("src", {
      roleName: "r2",
      sourceAccountIds: ["444444444444"],
      organizationId: "o-abcdefghij",
      permissions: invoke,
    });
    const provider = new aws.Provider("workload", { region: "us-east-1", allowedAccountIds: ["444444444444"] });
    role.grantAssumeFrom("ci", "ci-code-review", provider);
    await settle();
    const p = recorder.one("aws:iam/rolePolicy:RolePolicy", "src-assume-from-ci");
    expect(p.account).toBe("444444444444");
    expect(p.inputs.role).toBe("ci-code-review");
    expect(policyOf(p.inputs.policy)!.Statement).toEqual([
      { Sid: "AssumeInferenceRole", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: ["arn:aws:iam::222222222222:role/r2"] },
    ]);
  });

  it.each([
    [{ organizationId: undefined }, /`organizationId` or `externalId`/],
    [{ sourceAccountIds: ["12345"] }, /not a 12-digit account id/],
    [{ permissions: [allow(["s3:GetObject"], ["*"])] }, /Bedrock actions only, not s3:GetObject/],
    [{ maxSessionHours: 24 }, /1–12/],
  ])("refuses %j", (override, message) => {
    expect(
      () =>
        new xa.CrossAccountRole("bad", {
          roleName: "r",
          sourceAccountIds: ["444444444444"],
          organizationId: "o-abcdefghij",
          permissions: invoke,
          ...override,
        }),
    ).toThrowError(message);
  });
});
