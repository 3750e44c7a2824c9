import { asList } from "../iam/parse";
import { at, obj, type Inputs } from "../testing/inputs";
import type { RecordedResource } from "../testing/recorder";
import type { SecurityRule } from "./types";

export const FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";
export const WORKGROUP = "aws:athena/workgroup:Workgroup";

/** The S3 delivery block of a stream (extended S3 is the only kind the library creates). */
const s3Delivery = (r: RecordedResource): Inputs | undefined =>
  r.inputs.extendedS3Configuration ? obj(r.inputs.extendedS3Configuration) : undefined;

export const firehoseEncrypted: SecurityRule = {
  id: "firehose-encrypted",
  description: "Firehose streams encrypt buffered records at rest and write objects with SSE-KMS",
  types: [FIREHOSE],
  check(r) {
    const out: string[] = [];
    if (at(r.inputs, "serverSideEncryption", "enabled") !== true)
      out.push("serverSideEncryption is not enabled (records sit unencrypted in the stream's buffer)");
    const s3 = s3Delivery(r);
    if (s3 && !s3.kmsKeyArn) out.push("extendedS3Configuration has no kmsKeyArn (objects rely on the bucket default only)");
    return out;
  },
};

export const firehoseLogsErrors: SecurityRule = {
  id: "firehose-error-logging",
  description: "Firehose streams log delivery errors and keep failed records under an error prefix",
  types: [FIREHOSE],
  check(r) {
    const s3 = s3Delivery(r);
    if (!s3) return [];
    const out: string[] = [];
    if (at(s3, "cloudwatchLoggingOptions", "enabled") !== true)
      out.push("cloudwatchLoggingOptions is not enabled (failed deliveries are invisible)");
    if (!s3.errorOutputPrefix) out.push("errorOutputPrefix is not set (failed records mix with data)");
    return out;
  },
};

export const athenaWorkgroupEnforced: SecurityRule = {
  id: "athena-workgroup-enforced-encrypted",
  description: "Athena workgroups enforce their configuration and encrypt query results",
  types: [WORKGROUP],
  check(r) {
    const c = obj(r.inputs.configuration);
    const out: string[] = [];
    if (c.enforceWorkgroupConfiguration !== true)
      out.push("enforceWorkgroupConfiguration is not true (clients could write unencrypted results elsewhere)");
    const option = at(c, "resultConfiguration", "encryptionConfiguration", "encryptionOption");
    if (typeof option !== "string" || !["SSE_KMS", "CSE_KMS", "SSE_S3"].includes(option))
      out.push("query results are not encrypted (resultConfiguration.encryptionConfiguration)");
    return out;
  },
};

export const athenaBytesScannedCutoff: SecurityRule = {
  id: "athena-bytes-scanned-cutoff",
  description: "Athena workgroups stop queries that scan more than a set number of bytes",
  types: [WORKGROUP],
  check(r) {
    const cutoff = Number(at(r.inputs, "configuration", "bytesScannedCutoffPerQuery") ?? 0);
    return cutoff >= 10_485_760
      ? []
      : ["has no bytesScannedCutoffPerQuery (a query without a partition filter can scan, and bill, everything)"];
  },
};

export const glueTablesNotPublic: SecurityRule = {
  id: "glue-table-s3-location",
  description:
    "Glue tables point at S3 locations (no http or cross-partition locations), with partition projection where they are partitioned",
  types: ["aws:glue/catalogTable:CatalogTable"],
  check(r) {
    const out: string[] = [];
    const loc = String(at(r.inputs, "storageDescriptor", "location") ?? "");
    if (!loc.startsWith("s3://")) out.push(`storage location "${loc}" is not an s3:// location`);
    const partitioned = asList(r.inputs.partitionKeys).length > 0;
    if (partitioned && at(r.inputs, "parameters", "projection.enabled") !== "true")
      out.push("is partitioned without partition projection (needs crawlers or MSCK REPAIR to see new days)");
    return out;
  },
};

/** Security rules of the analytics module. */
export const ANALYTICS_RULES: SecurityRule[] = [
  firehoseEncrypted,
  firehoseLogsErrors,
  athenaWorkgroupEnforced,
  athenaBytesScannedCutoff,
  glueTablesNotPublic,
];
