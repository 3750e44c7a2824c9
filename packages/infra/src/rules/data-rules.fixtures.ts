import { bucket, bucketSiblings, res, type RuleFixture } from "./fixtures";

/** One compliant and one non-compliant fixture per data-protection rule. */
const logging = (text: boolean) =>
  res("aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration", "logging", {
    loggingConfig: { textDataDeliveryEnabled: text, imageDataDeliveryEnabled: false, s3Config: { bucketName: "logs", keyPrefix: "" } },
  });

export const DATA_FIXTURES: Record<string, RuleFixture> = {
  "bedrock-invocation-text-logged": { good: [logging(false)], bad: [logging(true)], expect: /full text of prompts/ },
  "s3-block-public-access": {
    good: [bucket("b"), ...bucketSiblings("b")],
    bad: [bucket("b"), ...bucketSiblings("b", { pab: false })],
    expect: /BucketPublicAccessBlock/,
  },
  "s3-encrypted": {
    good: [bucket("b"), ...bucketSiblings("b")],
    bad: [bucket("b"), ...bucketSiblings("b", { sse: false })],
    expect: /encryption/,
  },
  "s3-tls-only": {
    good: [bucket("b"), ...bucketSiblings("b")],
    bad: [bucket("b"), ...bucketSiblings("b", { tls: false })],
    expect: /SecureTransport/,
  },
  "s3-lifecycle": {
    good: [bucket("b"), ...bucketSiblings("b")],
    bad: [bucket("b"), ...bucketSiblings("b", { lifecycle: false })],
    expect: /lifecycle/,
  },
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
  "sns-encrypted": {
    good: [res("aws:sns/topic:Topic", "t", { kmsMasterKeyId: "alias/aws/sns" })],
    bad: [res("aws:sns/topic:Topic", "t", {})],
    expect: /kmsMasterKeyId/,
  },
  "kms-key-rotation": {
    good: [
      res("aws:kms/key:Key", "k", { enableKeyRotation: true }),
      res("aws:kms/key:Key", "signing", { keyUsage: "SIGN_VERIFY", customerMasterKeySpec: "ECC_NIST_P256", enableKeyRotation: false }),
    ],
    bad: [
      res("aws:kms/key:Key", "k", {}),
      res("aws:kms/key:Key", "enc", { keyUsage: "ENCRYPT_DECRYPT", customerMasterKeySpec: "SYMMETRIC_DEFAULT", enableKeyRotation: false }),
    ],
    expect: /enableKeyRotation/,
  },
};
