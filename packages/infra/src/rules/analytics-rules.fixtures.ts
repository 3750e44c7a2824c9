import { res, type RuleFixture } from "./fixtures";
import { FIREHOSE, WORKGROUP } from "./analytics-rules";

const stream = (over: Record<string, unknown> = {}, s3: Record<string, unknown> = {}) =>
  res(FIREHOSE, "f", {
    destination: "extended_s3",
    serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: "arn:aws:kms:us-east-1:111111111111:key/k" },
    extendedS3Configuration: {
      kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/k",
      errorOutputPrefix: "errors/",
      cloudwatchLoggingOptions: { enabled: true },
      ...s3,
    },
    ...over,
  });
const workgroup = (c: Record<string, unknown> = {}) =>
  res(WORKGROUP, "w", {
    configuration: {
      enforceWorkgroupConfiguration: true,
      bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
      resultConfiguration: { encryptionConfiguration: { encryptionOption: "SSE_KMS" } },
      ...c,
    },
  });
const table = (over: Record<string, unknown> = {}) =>
  res("aws:glue/catalogTable:CatalogTable", "t", {
    storageDescriptor: { location: "s3://b/metrics/" },
    partitionKeys: [{ name: "dt", type: "string" }],
    parameters: { "projection.enabled": "true" },
    ...over,
  });

/** One compliant and one non-compliant fixture per analytics rule. */
export const ANALYTICS_FIXTURES: Record<string, RuleFixture> = {
  "firehose-encrypted": { good: [stream()], bad: [stream({ serverSideEncryption: { enabled: false } })], expect: /serverSideEncryption/ },
  "firehose-error-logging": {
    good: [stream()],
    bad: [stream({}, { cloudwatchLoggingOptions: { enabled: false }, errorOutputPrefix: undefined })],
    expect: /cloudwatchLoggingOptions/,
  },
  "athena-workgroup-enforced-encrypted": {
    good: [workgroup()],
    bad: [workgroup({ enforceWorkgroupConfiguration: false, resultConfiguration: { outputLocation: "s3://r/" } })],
    expect: /enforceWorkgroupConfiguration[\s\S]*not encrypted/,
  },
  "athena-bytes-scanned-cutoff": {
    good: [workgroup()],
    bad: [workgroup({ bytesScannedCutoffPerQuery: undefined })],
    expect: /bytesScannedCutoffPerQuery/,
  },
  "glue-table-s3-location": { good: [table()], bad: [table({ parameters: {} })], expect: /partition projection/ },
};
