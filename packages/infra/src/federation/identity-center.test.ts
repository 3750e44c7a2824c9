import { describe, expect, it } from "vitest";
import { policyOf, settle, unwrap } from "../testing";
import { useMockedSuite } from "../testing/suite";
import type * as Fed from "./index";
import { allow } from "../iam";

const suite = useMockedSuite(() => import("./index.js"));

const INSTANCE = "arn:aws:sso:::instance/ssoins-72230a1b2c3d4e5f";
const GROUP_A = "9067a1b2c3-1f2e3d4c-5b6a-7980-a1b2-c3d4e5f6a7b8";
const GROUP_B = "2f3e4d5c-6b7a-8091-a2b3-c4d5e6f7a8b9";
const args = (over: Partial<Fed.IdentityCenterAccessArgs> = {}): Fed.IdentityCenterAccessArgs => ({
  instanceArn: INSTANCE,
  permissionSetName: "ClaudeCode",
  sessionDurationHours: 8,
  groupIds: [GROUP_A, GROUP_B],
  accountId: "222222222222",
  statements: [
    allow(
      ["bedrock:InvokeModel"],
      ["arn:aws:bedrock:us-east-1:222222222222:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"],
      { sid: "Invoke" },
    ),
  ],
  boundaryPolicyName: "ccb-prod-developer-boundary",
  managedPolicyNames: ["ccb-prod-quota-block-0"],
  ...over,
});

describe("IdentityCenterAccess", () => {
  it("creates the permission set, its inline policy, boundary, managed references and one assignment per group", async () => {
    const a = new suite.module.IdentityCenterAccess("prod-idc", args());
    await unwrap(a.permissionSetArn);
    await settle();
    expect(suite.recorder.inventory()).toEqual([
      "aws:ssoadmin/accountAssignment:AccountAssignment prod-idc-assign-c3d4e5f6a7b8",
      "aws:ssoadmin/accountAssignment:AccountAssignment prod-idc-assign-c4d5e6f7a8b9",
      "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment prod-idc-managed-0",
      "aws:ssoadmin/permissionSet:PermissionSet prod-idc-permission-set",
      "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy prod-idc-inline-policy",
      "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment prod-idc-boundary",
      "claude-code-bedrock:federation:IdentityCenterAccess prod-idc",
    ]);
    expect(suite.recorder.one("aws:ssoadmin/permissionSet:PermissionSet", "prod-idc-permission-set").inputs).toMatchObject({
      name: "ClaudeCode",
      sessionDuration: "PT8H",
      instanceArn: INSTANCE,
    });
    expect(
      policyOf(
        suite.recorder.one("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", "prod-idc-inline-policy").inputs
          .inlinePolicy,
      )!.Statement,
    ).toHaveLength(1);
    expect(
      suite.recorder.one("aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment", "prod-idc-boundary").inputs
        .permissionsBoundary,
    ).toEqual({ customerManagedPolicyReference: { name: "ccb-prod-developer-boundary", path: "/" } });
    for (const g of [GROUP_A, GROUP_B]) {
      const assignment = suite.recorder.byType("aws:ssoadmin/accountAssignment:AccountAssignment").find((x) => x.inputs.principalId === g)!;
      expect(assignment.inputs).toMatchObject({ principalType: "GROUP", targetType: "AWS_ACCOUNT", targetId: "222222222222" });
    }
    expect(a.roleNamePrefix).toBe("AWSReservedSSO_ClaudeCode_");
    expect(suite.rules.evaluateRules(suite.recorder.resources).flatMap((v) => v.findings)).toEqual([]);
  });

  it("refuses bad arguments before creating anything, naming each", () => {
    expect(
      () =>
        new suite.module.IdentityCenterAccess(
          "bad",
          args({
            instanceArn: "arn:aws:sso:::instance/x",
            permissionSetName: "a name with spaces",
            sessionDurationHours: 13,
            groupIds: [],
            statements: [],
          }),
        ),
    ).toThrow(/instanceArn[\s\S]*permissionSetName[\s\S]*sessionDurationHours[\s\S]*groupIds[\s\S]*statements/);
    expect(() => new suite.module.IdentityCenterAccess("dup", args({ groupIds: [GROUP_A, GROUP_A] }))).toThrow(/lists a group twice/);
    expect(suite.recorder.resources).toEqual([]);
  });

  it("an inline policy with a wildcard action is caught by the IAM rules", async () => {
    new suite.module.IdentityCenterAccess("wild", args({ statements: [allow(["bedrock:*"], ["*"], { sid: "TooBroad" })] }));
    await settle();
    const findings = suite.rules.evaluateRules(suite.recorder.resources).flatMap((v) => v.findings);
    expect(findings.map((f) => f.rule)).toContain("iam-no-wildcard-actions");
  });
});
