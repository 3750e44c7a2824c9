import { asList, parsePolicy } from "../iam/parse";
import { at } from "../testing/inputs";
import type { RecordedResource } from "../testing/recorder";
import type { SecurityRule } from "./types";

export const BUCKET = "aws:s3/bucket:Bucket";
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

/** Sibling resources configure a bucket by its name (the bucket's id). */
const forBucket = (stack: readonly RecordedResource[], type: string, bucket: RecordedResource) =>
  stack.filter((x) => x.type === type && (x.inputs.bucket === bucket.id || x.inputs.bucket === bucket.inputs.bucket));

export const s3BlocksPublicAccess: SecurityRule = {
  id: "s3-block-public-access",
  description: "Every bucket has all four public access blocks on",
  types: [BUCKET],
  check(b, stack) {
    const blocks = forBucket(stack, PAB, b);
    const on = blocks.some((p) =>
      ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => p.inputs[k] === true),
    );
    return on ? [] : ["has no BucketPublicAccessBlock with all four settings true"];
  },
};

export const s3Encrypted: SecurityRule = {
  id: "s3-encrypted",
  description: "Every bucket has default encryption (SSE-KMS or SSE-S3)",
  types: [BUCKET],
  check(b, stack) {
    const ok = forBucket(stack, SSE, b).some((c) =>
      asList(c.inputs.rules).some((rule) =>
        ["aws:kms", "aws:kms:dsse", "AES256"].includes(String(at(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"))),
      ),
    );
    return ok ? [] : ["has no default server-side encryption configuration"];
  },
};

export const s3TlsOnly: SecurityRule = {
  id: "s3-tls-only",
  description: "Every bucket policy denies requests without TLS",
  types: [BUCKET],
  check(b, stack) {
    const ok = forBucket(stack, BUCKET_POLICY, b).some((p) =>
      (parsePolicy(p.inputs.policy)?.Statement ?? []).some(
        (s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false",
      ),
    );
    return ok ? [] : ["has no bucket policy that denies aws:SecureTransport = false"];
  },
};

export const s3Lifecycle: SecurityRule = {
  id: "s3-lifecycle",
  description: "Every bucket expires or transitions its objects (logs and telemetry must not grow forever)",
  types: [BUCKET],
  check(b, stack) {
    const ok = forBucket(stack, LIFECYCLE, b).some((l) => asList(l.inputs.rules).some((r) => at(r, "status") === "Enabled"));
    return ok ? [] : ["has no enabled lifecycle rule"];
  },
};

export const logRetention: SecurityRule = {
  id: "logs-retention",
  description: "Every log group has a retention period",
  types: ["aws:cloudwatch/logGroup:LogGroup"],
  check(r) {
    const days = Number(r.inputs.retentionInDays ?? 0);
    return days > 0 ? [] : ["has no retentionInDays (logs would be kept forever)"];
  },
};

export const dynamoProtected: SecurityRule = {
  id: "dynamodb-pitr-encrypted",
  description: "DynamoDB tables have point-in-time recovery and server-side encryption enabled",
  types: ["aws:dynamodb/table:Table"],
  check(r) {
    const out: string[] = [];
    if (at(r.inputs, "pointInTimeRecovery", "enabled") !== true) out.push("point-in-time recovery is off");
    if (at(r.inputs, "serverSideEncryption", "enabled") !== true) out.push("serverSideEncryption (KMS) is not enabled");
    return out;
  },
};

export const snsEncrypted: SecurityRule = {
  id: "sns-encrypted",
  description: "SNS topics are encrypted with KMS",
  types: ["aws:sns/topic:Topic"],
  check(r) {
    return r.inputs.kmsMasterKeyId ? [] : ["has no kmsMasterKeyId"];
  },
};

export const kmsRotation: SecurityRule = {
  id: "kms-key-rotation",
  description: "Customer managed KMS keys rotate (asymmetric signing keys, which KMS cannot rotate, are replaced instead)",
  types: ["aws:kms/key:Key"],
  check(r) {
    // KMS rotates symmetric keys only; an asymmetric signing key is rotated by replacing it (new key id, new kid).
    const spec = String(r.inputs.customerMasterKeySpec ?? r.inputs.keySpec ?? "SYMMETRIC_DEFAULT");
    if (r.inputs.keyUsage === "SIGN_VERIFY" && /^(ECC_|RSA_)/.test(spec)) return [];
    return r.inputs.enableKeyRotation === true ? [] : ["enableKeyRotation is not true"];
  },
};

export const INVOCATION_LOGGING = "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration";

export const invocationTextLogged: SecurityRule = {
  id: "bedrock-invocation-text-logged",
  description: "Model invocation logging keeps prompts and responses only as an explicit audit option (advisory)",
  types: [INVOCATION_LOGGING],
  severity: "advisory",
  check(r) {
    return at(r.inputs, "loggingConfig", "textDataDeliveryEnabled") === true
      ? [
          "logs the full text of prompts and responses (source code, secrets pasted into prompts, personal data): " +
            "on only as the audit option inference.invocationLogging.text, with its own bucket prefix and key; see docs/operating.md",
        ]
      : [];
  },
};

export const DATA_RULES = [
  invocationTextLogged,
  s3BlocksPublicAccess,
  s3Encrypted,
  s3TlsOnly,
  s3Lifecycle,
  logRetention,
  dynamoProtected,
  snsEncrypted,
  kmsRotation,
];
