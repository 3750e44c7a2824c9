import type { RecordedResource } from "../testing/recorder";

/** Builders for rule fixtures: recorded resources as the mock engine would record them. */
export interface RuleFixture {
  readonly good: RecordedResource[];
  readonly bad: RecordedResource[];
  /** What the finding for the bad fixture must say. */
  readonly expect: RegExp;
}

export const ACCOUNT = "111111111111";
export const res = (type: string, name: string, inputs: Record<string, unknown>, id = `${name}-id`): RecordedResource => ({
  type,
  name,
  id,
  inputs,
  account: ACCOUNT,
  region: "us-east-1",
});
export const doc = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });
export const role = (name: string, trust: unknown, extra: Record<string, unknown> = {}) =>
  res("aws:iam/role:Role", name, { assumeRolePolicy: doc(trust), ...extra });
export const oidc = (condition: unknown) => ({
  Effect: "Allow",
  Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/idp.example.com` },
  Action: ["sts:AssumeRoleWithWebIdentity"],
  Condition: condition,
});
export const bucket = (name: string) => res("aws:s3/bucket:Bucket", name, {});
export const bucketSiblings = (b: string, opts: { pab?: boolean; sse?: boolean; tls?: boolean; lifecycle?: boolean } = {}) => [
  ...(opts.pab === false
    ? []
    : [
        res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${b}-pab`, {
          bucket: `${b}-id`,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        }),
      ]),
  ...(opts.sse === false
    ? []
    : [
        res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${b}-sse`, {
          bucket: `${b}-id`,
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
        }),
      ]),
  ...(opts.tls === false
    ? []
    : [
        res("aws:s3/bucketPolicy:BucketPolicy", `${b}-policy`, {
          bucket: `${b}-id`,
          policy: doc({
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: "*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        }),
      ]),
  ...(opts.lifecycle === false
    ? []
    : [
        res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${b}-lifecycle`, {
          bucket: `${b}-id`,
          rules: [{ id: "expire", status: "Enabled" }],
        }),
      ]),
];
