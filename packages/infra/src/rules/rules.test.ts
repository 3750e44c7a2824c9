import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../testing/recorder";
import { allRules, evaluateRules, findingsOf } from "./index";

const ACCOUNT = "111111111111";
const res = (type: string, name: string, inputs: Record<string, any>, id = `${name}-id`): RecordedResource => ({ type, name, id, inputs, account: ACCOUNT, region: "us-east-1" });
const doc = (...Statement: any[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const role = (name: string, trust: any, extra: Record<string, any> = {}) => res("aws:iam/role:Role", name, { assumeRolePolicy: doc(trust), ...extra });
const oidc = (condition: any) => ({ Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/idp.example.com` }, Action: ["sts:AssumeRoleWithWebIdentity"], Condition: condition });
const bucket = (name: string) => res("aws:s3/bucket:Bucket", name, {});
const bucketSiblings = (b: string, opts: { pab?: boolean; sse?: boolean; tls?: boolean; lifecycle?: boolean } = {}) => [
  ...(opts.pab === false ? [] : [res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${b}-pab`, { bucket: `${b}-id`, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true })]),
  ...(opts.sse === false ? [] : [res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${b}-sse`, { bucket: `${b}-id`, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] })]),
  ...(opts.tls === false ? [] : [res("aws:s3/bucketPolicy:BucketPolicy", `${b}-policy`, { bucket: `${b}-id`, policy: doc({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }) })]),
  ...(opts.lifecycle === false ? [] : [res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${b}-lifecycle`, { bucket: `${b}-id`, rules: [{ id: "expire", status: "Enabled" }] })]),
];

/** One compliant and one non-compliant fixture per rule. */
const fixtures: Record<string, { good: RecordedResource[]; bad: RecordedResource[]; expect: RegExp }> = {
  "iam-no-wildcard-actions": {
    good: [res("aws:iam/rolePolicy:RolePolicy", "p", { policy: doc({ Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource: "*" }, { Effect: "Deny", Action: "s3:*", Resource: "*" }) })],
    bad: [res("aws:iam/rolePolicy:RolePolicy", "p", { policy: doc({ Sid: "Broad", Effect: "Allow", Action: ["bedrock:*"], Resource: "*" }) })],
    expect: /Broad allows wildcard action bedrock:\*/,
  },
  "iam-no-broad-managed-policies": {
    good: [res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" })],
    bad: [res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { policyArn: "arn:aws:iam::aws:policy/AmazonBedrockFullAccess" })],
    expect: /AmazonBedrockFullAccess/,
  },
  "iam-federated-trust-pinned": {
    good: [role("r", oidc({ StringEquals: { "idp.example.com:aud": "client" }, StringLike: { "idp.example.com:sub": "00u*" } }))],
    bad: [role("r", oidc({ StringLike: { "idp.example.com:sub": "*" } }))],
    expect: /does not pin the audience[\s\S]*|does not restrict/,
  },
  "iam-cross-account-trust-conditioned": {
    good: [role("r", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" } } })],
    bad: [role("r", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "sts:AssumeRole" })],
    expect: /222222222222:root without aws:PrincipalOrgID/,
  },
  "iam-service-trust-source-conditions": {
    good: [role("r", { Effect: "Allow", Principal: { Service: "bedrock.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } })],
    bad: [role("r", { Effect: "Allow", Principal: { Service: "bedrock.amazonaws.com" }, Action: "sts:AssumeRole" })],
    expect: /lacks aws:SourceAccount/,
  },
  "iam-role-session-bounded": {
    good: [role("r", { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }, { maxSessionDuration: 43200 })],
    bad: [role("r", { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }, { maxSessionDuration: 86400 })],
    expect: /exceeds 43200/,
  },
  "s3-block-public-access": { good: [bucket("b"), ...bucketSiblings("b")], bad: [bucket("b"), ...bucketSiblings("b", { pab: false })], expect: /BucketPublicAccessBlock/ },
  "s3-encrypted": { good: [bucket("b"), ...bucketSiblings("b")], bad: [bucket("b"), ...bucketSiblings("b", { sse: false })], expect: /encryption/ },
  "s3-tls-only": { good: [bucket("b"), ...bucketSiblings("b")], bad: [bucket("b"), ...bucketSiblings("b", { tls: false })], expect: /SecureTransport/ },
  "s3-lifecycle": { good: [bucket("b"), ...bucketSiblings("b")], bad: [bucket("b"), ...bucketSiblings("b", { lifecycle: false })], expect: /lifecycle/ },
  "logs-retention": {
    good: [res("aws:cloudwatch/logGroup:LogGroup", "l", { retentionInDays: 30 })],
    bad: [res("aws:cloudwatch/logGroup:LogGroup", "l", {})],
    expect: /retentionInDays/,
  },
  "dynamodb-pitr-encrypted": {
    good: [res("aws:dynamodb/table:Table", "t", { pointInTimeRecovery: { enabled: true }, serverSideEncryption: { enabled: true } })],
    bad: [res("aws:dynamodb/table:Table", "t", { pointInTimeRecovery: { enabled: false } })],
    expect: /point-in-time/,
  },
  "sns-encrypted": { good: [res("aws:sns/topic:Topic", "t", { kmsMasterKeyId: "alias/aws/sns" })], bad: [res("aws:sns/topic:Topic", "t", {})], expect: /kmsMasterKeyId/ },
  "kms-key-rotation": { good: [res("aws:kms/key:Key", "k", { enableKeyRotation: true })], bad: [res("aws:kms/key:Key", "k", {})], expect: /enableKeyRotation/ },
};

describe("security rules", () => {
  it("every registered rule has a compliant and a non-compliant fixture", () => {
    expect(allRules().map((r) => r.id).filter((id) => !(id in fixtures))).toEqual([]);
  });

  describe.each(Object.entries(fixtures))("%s", (id, f) => {
    const rule = allRules().find((r) => r.id === id)!;
    it("passes the compliant fixture", () => {
      const verdict = evaluateRules(f.good, [rule])[0]!;
      expect(verdict.checked).toBeGreaterThan(0);
      expect(verdict.findings).toEqual([]);
    });
    it("flags the non-compliant fixture", () => {
      const verdict = evaluateRules(f.bad, [rule])[0]!;
      expect(verdict.findings.length).toBeGreaterThan(0);
      expect(verdict.findings.map((x) => x.message).join("\n")).toMatch(f.expect);
    });
  });

  it("federated trust: rejects admitting unauthenticated Cognito identities", () => {
    const trust = role("r", { Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "cognito-identity.amazonaws.com:aud": "us-east-1:pool" }, "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" } } });
    expect(findingsOf([trust]).map((f) => f.message).join()).toMatch(/unauthenticated/);
  });

  it("same-account AWS principals need no org condition", () => {
    const r = role("r", { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/x` }, Action: "sts:AssumeRole" });
    expect(findingsOf([r])).toEqual([]);
  });
});
