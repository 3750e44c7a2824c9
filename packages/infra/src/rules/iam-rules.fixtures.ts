import { ACCOUNT, doc, oidc, res, role, type RuleFixture } from "./fixtures";

/** One compliant and one non-compliant fixture per IAM rule. */
export const IAM_FIXTURES: Record<string, RuleFixture> = {  "iam-no-wildcard-actions": {
    good: [res("aws:iam/rolePolicy:RolePolicy", "p", { policy: doc({ Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource: "*" }, { Effect: "Deny", Action: "s3:*", Resource: "*" }) })],
    bad: [res("aws:iam/rolePolicy:RolePolicy", "p", { policy: doc({ Sid: "Broad", Effect: "Allow", Action: ["bedrock:*"], Resource: "*" }) })],
    expect: /Broad allows wildcard action bedrock:\*/,
  },  "iam-no-broad-managed-policies": {
    good: [res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" })],
    bad: [res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { policyArn: "arn:aws:iam::aws:policy/AmazonBedrockFullAccess" })],
    expect: /AmazonBedrockFullAccess/,
  },  "iam-federated-trust-pinned": {
    good: [role("r", oidc({ StringEquals: { "idp.example.com:aud": "client" }, StringLike: { "idp.example.com:sub": "00u*" } }))],
    bad: [role("r", oidc({ StringLike: { "idp.example.com:sub": "*" } }))],
    expect: /does not pin the audience[\s\S]*|does not restrict/,
  },  "iam-cross-account-trust-conditioned": {
    good: [role("r", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" } } })],
    bad: [role("r", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "sts:AssumeRole" })],
    expect: /222222222222:root without aws:PrincipalOrgID/,
  },  "iam-service-trust-source-conditions": {
    good: [role("r", { Effect: "Allow", Principal: { Service: "bedrock.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } })],
    bad: [role("r", { Effect: "Allow", Principal: { Service: "bedrock.amazonaws.com" }, Action: "sts:AssumeRole" })],
    expect: /lacks aws:SourceAccount/,
  },  "iam-role-session-bounded": {
    good: [role("r", { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }, { maxSessionDuration: 43200 })],
    bad: [role("r", { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }, { maxSessionDuration: 86400 })],
    expect: /exceeds 43200/,
  },
};
