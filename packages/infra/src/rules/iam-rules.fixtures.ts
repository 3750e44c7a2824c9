import type { StatementJson } from "../iam/parse";
import { ACCOUNT, doc, oidc, res, role, type RuleFixture } from "./fixtures";

const POLICY = "aws:iam/policy:Policy";
const MARKER = { "ccb:policy-kind": "permissions-boundary" };
const iam = (resource: string) => `arn:aws:iam::${ACCOUNT}:${resource}`;
/** A workload boundary as the stage renders one, in short: allow `*`, deny what the CI guardrails deny. */
export const boundaryStatements: readonly StatementJson[] = [
  { Sid: "CapAtTheGuardrails", Effect: "Allow", Action: ["*"], Resource: ["*"] },
  {
    Effect: "Deny",
    Action: ["iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreateUser", "iam:PutUserPolicy"],
    Resource: ["*"],
  },
  {
    Effect: "Deny",
    Action: [
      "cloudtrail:DeleteTrail",
      "cloudtrail:StopLogging",
      "cloudtrail:UpdateTrail",
      "config:StopConfigurationRecorder",
      "guardduty:DeleteDetector",
      "organizations:*",
    ],
    Resource: ["*"],
  },
  { Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary"], Resource: ["*"] },
  {
    Effect: "Deny",
    Action: [
      "iam:AttachRolePolicy",
      "iam:CreateRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:PutRolePermissionsBoundary",
      "iam:PutRolePolicy",
      "iam:UpdateAssumeRolePolicy",
    ],
    Resource: ["*"],
    Condition: { StringNotEquals: { "iam:PermissionsBoundary": [iam("policy/app-workload-boundary")] } },
  },
  {
    Effect: "Deny",
    Action: ["iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
    Resource: [iam("policy/app-workload-boundary"), iam("policy/app-ci-*")],
  },
  {
    Effect: "Deny",
    Action: ["iam:AttachRolePolicy", "iam:DeleteRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"],
    Resource: [iam("role/app-ci-*")],
  },
  {
    Effect: "Deny",
    Action: ["iam:AddClientIDToOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint"],
    Resource: [iam("oidc-provider/token.actions.githubusercontent.com")],
  },
  {
    Effect: "Deny",
    NotAction: ["iam:*", "sts:*"],
    Resource: ["*"],
    Condition: { StringNotEquals: { "aws:RequestedRegion": ["us-east-1"] } },
  },
];
export const boundaryPolicy = (statements: readonly StatementJson[] = boundaryStatements, tags: Record<string, string> = MARKER) =>
  res(POLICY, "app-boundary", { name: "app-workload-boundary", policy: doc(...statements), tags }, iam("policy/app-workload-boundary"));
const lambdaTrust = { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" };

/** One compliant and one non-compliant fixture per IAM rule. */
export const IAM_FIXTURES: Record<string, RuleFixture> = {
  "iam-role-has-boundary": {
    good: [boundaryPolicy(), role("fn", lambdaTrust, { permissionsBoundary: iam("policy/app-workload-boundary") })],
    bad: [boundaryPolicy(), role("fn", lambdaTrust)],
    expect: /role has no permissions boundary/,
  },
  "iam-boundary-is-a-cap": {
    good: [boundaryPolicy(), role("fn", lambdaTrust, { permissionsBoundary: iam("policy/app-workload-boundary") })],
    // A boundary that allows `*` but only denies IAM users: a role under it could create a role without one.
    bad: [boundaryPolicy(boundaryStatements.slice(0, 2))],
    expect: /does not deny creating or changing a role without one of the stage's boundaries/,
  },
  "iam-no-wildcard-actions": {
    good: [
      res("aws:iam/rolePolicy:RolePolicy", "p", {
        policy: doc({ Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource: "*" }, { Effect: "Deny", Action: "s3:*", Resource: "*" }),
      }),
    ],
    bad: [
      res("aws:iam/rolePolicy:RolePolicy", "p", { policy: doc({ Sid: "Broad", Effect: "Allow", Action: ["bedrock:*"], Resource: "*" }) }),
    ],
    expect: /Broad allows wildcard action bedrock:\*/,
  },
  "iam-no-broad-managed-policies": {
    good: [
      res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", {
        policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
      }),
    ],
    bad: [res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { policyArn: "arn:aws:iam::aws:policy/AmazonBedrockFullAccess" })],
    expect: /AmazonBedrockFullAccess/,
  },
  "iam-federated-trust-pinned": {
    good: [role("r", oidc({ StringEquals: { "idp.example.com:aud": "client" }, StringLike: { "idp.example.com:sub": "00u*" } }))],
    bad: [role("r", oidc({ StringLike: { "idp.example.com:sub": "*" } }))],
    expect: /does not pin the audience[\s\S]*|does not restrict/,
  },
  "iam-cross-account-trust-conditioned": {
    good: [
      role("r", {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" } },
      }),
    ],
    bad: [role("r", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "sts:AssumeRole" })],
    expect: /222222222222:root without aws:PrincipalOrgID/,
  },
  "iam-service-trust-source-conditions": {
    good: [
      role("r", {
        Effect: "Allow",
        Principal: { Service: "bedrock.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      }),
    ],
    bad: [role("r", { Effect: "Allow", Principal: { Service: "bedrock.amazonaws.com" }, Action: "sts:AssumeRole" })],
    expect: /lacks aws:SourceAccount/,
  },
  "iam-role-session-bounded": {
    good: [
      role(
        "r",
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        { maxSessionDuration: 43200 },
      ),
    ],
    bad: [
      role(
        "r",
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        { maxSessionDuration: 86400 },
      ),
    ],
    expect: /exceeds 43200/,
  },
};
