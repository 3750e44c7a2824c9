import { res, type RuleFixture } from "./fixtures";

const INSTANCE = "arn:aws:sso:::instance/ssoins-72230a1b2c3d4e5f";
const set = (inputs: Record<string, unknown>) =>
  res("aws:ssoadmin/permissionSet:PermissionSet", "ps", { instanceArn: INSTANCE, name: "ClaudeCode", ...inputs });
const boundary = res("aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment", "b", {
  instanceArn: INSTANCE,
  permissionSetArn: "ps-arn",
  permissionsBoundary: { customerManagedPolicyReference: { name: "ccb-prod-developer-boundary", path: "/" } },
});

/** One compliant and one non-compliant fixture per IAM Identity Center rule. */
export const IDENTITY_CENTER_FIXTURES: Record<string, RuleFixture> = {
  "idc-permission-set-bounded": {
    good: [set({ sessionDuration: "PT12H" }), boundary],
    bad: [set({ sessionDuration: "PT13H" }), set({})],
    expect: /longer than 12 hours[\s\S]*sets no sessionDuration[\s\S]*no permissions boundary/,
  },
};
