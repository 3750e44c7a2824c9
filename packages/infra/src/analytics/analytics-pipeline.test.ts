/**
 * AnalyticsPipeline under the Pulumi mocks: exact children, names within Glue/Athena limits, every
 * policy statement, the Firehose conversion wired to the Glue schema, the workgroup's enforcement,
 * the named queries stored verbatim, and the security rules. What this cannot prove: that AWS accepts
 * the combination (e.g. Firehose's CloudWatch Logs decompression with Parquet conversion) — the
 * settings follow the service documentation and are pinned here so a change is deliberate.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as aws from "@pulumi/aws";
import { inputsOf, installMocks, policyOf, type ResourceRecorder, settle, statementBySid, stringsOf, unwrap } from "../testing";
import type * as Rules from "../rules";
import type * as Analytics from "./index";
import { NAMED_QUERIES } from "./queries";
import { METRICS_COLUMNS, PRICING_COLUMNS, USER_DIRECTORY_COLUMNS } from "./schema";
import { expectEveryRoleBounded } from "../testing/suite";

let recorder: ResourceRecorder;
let analytics: typeof Analytics;
let rules: typeof Rules;
const ACCOUNT = "333333333333";

beforeAll(async () => {
  recorder = await installMocks({ accountId: ACCOUNT, region: "us-east-1" });
  analytics = await import("./index.js");
  rules = await import("../rules/index.js");
});
beforeEach(() => recorder.clear());

const SOURCE = {
  logGroupName: "/ccb-prod/claude-code/metrics",
  logGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ccb-prod/claude-code/metrics`,
};
const BOUNDARY = "arn:aws:iam::111111111111:policy/ccb-test-workload-boundary";
const args = (over: Partial<Analytics.AnalyticsPipelineArgs> = {}): Analytics.AnalyticsPipelineArgs => ({
  namePrefix: "ccb-prod",
  source: SOURCE,
  dataRetentionDays: 730,
  permissionsBoundaryArn: BOUNDARY,
  tags: { stage: "prod" },
  ...over,
});

async function build(over: Partial<Analytics.AnalyticsPipelineArgs> = {}) {
  const p = new analytics.AnalyticsPipeline("an", args(over));
  await unwrap(p.workgroupName);
  await settle();
  return p;
}
const statementsOf = (type: string, name: string, key = "policy") => policyOf(recorder.one(type, name).inputs[key])!.Statement;
interface Sid {
  readonly Sid?: string;
}
const bySid = statementBySid;
const FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";
const TABLE = "aws:glue/catalogTable:CatalogTable";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

describe("AnalyticsPipeline", () => {
  it("creates exactly the pipeline's resources and passes every security rule", async () => {
    await build();
    const counts: Record<string, number> = {};
    for (const r of recorder.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    expect(counts).toEqual({
      "claude-code-bedrock:analytics:AnalyticsPipeline": 1,
      "aws:kms/key:Key": 1,
      "aws:kms/alias:Alias": 1,
      "claude-code-bedrock:storage:SecureBucket": 3,
      "aws:s3/bucket:Bucket": 3,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 3,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 3,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 3,
      "aws:s3/bucketVersioning:BucketVersioning": 3,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 3,
      "aws:s3/bucketPolicy:BucketPolicy": 3,
      "aws:s3/bucketObjectv2:BucketObjectv2": 1,
      "aws:glue/catalogDatabase:CatalogDatabase": 1,
      "aws:glue/catalogTable:CatalogTable": 3,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:cloudwatch/logStream:LogStream": 1,
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicy:RolePolicy": 2,
      "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": 1,
      "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": 1,
      "aws:athena/workgroup:Workgroup": 1,
      "aws:athena/namedQuery:NamedQuery": NAMED_QUERIES.length,
    });
    // Every role the component creates carries the boundary it was given.
    expectEveryRoleBounded(recorder, BOUNDARY);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
    const analyticsRules = rules.evaluateRules(recorder.resources).filter((v) => /^(firehose|athena|glue)-/.test(v.rule));
    expect(analyticsRules.map((v) => [v.rule, v.checked > 0])).toEqual(analyticsRules.map((v) => [v.rule, true]));
  });

  it("derives physical names within Glue, Athena and Firehose limits", async () => {
    const p = await build();
    expect(await unwrap(p.databaseName)).toBe("ccb_prod_analytics");
    expect(await unwrap(p.workgroupName)).toBe("ccb-prod-analytics");
    expect(await unwrap(p.deliveryStreamName)).toBe("ccb-prod-claude-code-metrics");
    expect(recorder.one("aws:cloudwatch/logGroup:LogGroup", "an-delivery-logs").inputs.name).toBe(
      "/aws/kinesisfirehose/ccb-prod-claude-code-metrics",
    );
    const tables = recorder
      .byType("aws:glue/catalogTable:CatalogTable")
      .map((t) => t.inputs.name)
      .sort();
    expect(tables).toEqual(["metrics", "pricing", "user_directory"]);
  });

  it("converts EMF lines from CloudWatch Logs to Parquet with the Glue schema, partitioned by arrival day, encrypted", async () => {
    const p = await build();
    const f = inputsOf<aws.kinesis.FirehoseDeliveryStreamArgs>(recorder.one(FIREHOSE, "an-delivery"), FIREHOSE);
    expect(f.serverSideEncryption).toEqual({ enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: await unwrap(p.keyArn) });
    const s3 = f.extendedS3Configuration;
    expect(s3?.prefix).toBe("metrics/!{timestamp:yyyy/MM/dd}/");
    expect(s3?.errorOutputPrefix).toBe("errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/");
    expect(s3?.compressionFormat).toBe("UNCOMPRESSED");
    expect(s3?.bufferingSize).toBeGreaterThanOrEqual(64);
    expect(s3?.bufferingInterval).toBe(300);
    expect(s3?.kmsKeyArn).toBe(f.serverSideEncryption?.keyArn);
    expect(
      s3?.processingConfiguration?.processors?.map((x) => [x.type, x.parameters?.[0]?.parameterName, x.parameters?.[0]?.parameterValue]),
    ).toEqual([
      ["Decompression", "CompressionFormat", "GZIP"],
      ["CloudWatchLogProcessing", "DataMessageExtraction", "true"],
    ]);
    const conv = s3?.dataFormatConversionConfiguration;
    expect(conv?.enabled).toBe(true);
    expect(conv?.inputFormatConfiguration?.deserializer?.openXJsonSerDe).toEqual({
      caseInsensitive: true,
      convertDotsInJsonKeysToUnderscores: true,
      columnToJsonKeyMappings: { emf: "_aws" },
    });
    expect(conv?.outputFormatConfiguration?.serializer?.parquetSerDe?.compression).toBe("SNAPPY");
    expect(conv?.schemaConfiguration).toMatchObject({
      databaseName: "ccb_prod_analytics",
      tableName: "metrics",
      region: "us-east-1",
      catalogId: ACCOUNT,
      versionId: "LATEST",
    });
  });

  it("projects the metrics table's day partitions onto Firehose's prefix and declares every column", async () => {
    const p = await build();
    const bucket = await unwrap(p.dataBucketName);
    const t = inputsOf<aws.glue.CatalogTableArgs>(recorder.one(TABLE, "an-metrics"), TABLE);
    expect(t.partitionKeys).toEqual([{ name: "dt", type: "string", comment: expect.any(String) }]);
    expect(t.parameters).toMatchObject({
      "projection.enabled": "true",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy/MM/dd",
      "projection.dt.range": "2025/01/01,NOW",
      "projection.dt.interval.unit": "DAYS",
      "storage.location.template": `s3://${bucket}/metrics/\${dt}/`,
    });
    expect(t.storageDescriptor?.location).toBe(`s3://${bucket}/metrics/`);
    expect(t.storageDescriptor?.serDeInfo?.serializationLibrary).toBe("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
    expect(t.storageDescriptor?.columns?.map((c) => c.name)).toEqual(METRICS_COLUMNS.map((c) => c.name));
    const pricing = inputsOf<aws.glue.CatalogTableArgs>(recorder.one(TABLE, "an-pricing-table"), TABLE);
    expect(pricing.storageDescriptor?.columns?.map((c) => c.name)).toEqual(PRICING_COLUMNS.map((c) => c.name));
    expect(pricing.parameters?.["skip.header.line.count"]).toBe("1");
    const dir = inputsOf<aws.glue.CatalogTableArgs>(recorder.one(TABLE, "an-user-directory"), TABLE);
    expect(dir.storageDescriptor?.columns?.map((c) => c.name)).toEqual(USER_DIRECTORY_COLUMNS.map((c) => c.name));
    expect(dir.storageDescriptor?.location).toBe(`s3://${await unwrap(p.referenceBucketName)}/user-directory/`);
  });

  it("writes the prices CSV from the model catalog, with aliases for application inference profiles", async () => {
    const aliasArn = `arn:aws:bedrock:us-east-1:222222222222:application-inference-profile/abc123`;
    await build({
      modelAliases: [{ id: aliasArn, baseModelId: "anthropic.claude-sonnet-4-5-20250929-v1:0" }],
      priceOverrides: { "anthropic.claude-haiku-4-5-20251001-v1:0": { input: 0.9 } },
    });
    const o = recorder.one("aws:s3/bucketObjectv2:BucketObjectv2", "an-prices").inputs;
    expect(o.key).toBe("pricing/prices.csv");
    expect(o.serverSideEncryption).toBe("aws:kms");
    const lines = String(o.content).trim().split("\n");
    expect(lines[0]).toBe("model_id,family,input_usd_per_mtok,output_usd_per_mtok,cache_read_usd_per_mtok,cache_write_usd_per_mtok");
    expect(lines).toContain("us.anthropic.claude-sonnet-4-5-20250929-v1:0,sonnet,3,15,0.3,3.75");
    expect(lines).toContain("global.anthropic.claude-opus-4-5-20251101-v1:0,opus,5,25,0.5,6.25");
    expect(lines).toContain(`${aliasArn},sonnet,3,15,0.3,3.75`);
    expect(lines).toContain("us.anthropic.claude-haiku-4-5-20251001-v1:0,haiku,0.9,5,0.1,1.25");
  });

  it("gives Firehose exactly what delivery needs: its prefixes, the key through S3, the schema, its error log", async () => {
    const p = await build();
    const dataArn = `arn:aws:s3:::${await unwrap(p.dataBucketName)}`;
    const trust = statementsOf("aws:iam/role:Role", "an-delivery-role", "assumeRolePolicy");
    expect(trust).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "firehose.amazonaws.com" },
        Action: ["sts:AssumeRole"],
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnLike: { "aws:SourceArn": `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/ccb-prod-claude-code-metrics` },
        },
      },
    ]);
    const s = statementsOf("aws:iam/rolePolicy:RolePolicy", "an-delivery-policy");
    expect(s.map((x: Sid) => x.Sid)).toEqual(["BucketLevel", "WriteObjects", "EncryptObjects", "ReadSchema", "LogErrors"]);
    expect(bySid(s, "BucketLevel")).toMatchObject({
      Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      Resource: [dataArn],
    });
    expect(bySid(s, "WriteObjects")).toMatchObject({
      Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
      Resource: [`${dataArn}/metrics/*`, `${dataArn}/errors/*`],
    });
    // With an S3 Bucket Key (SecureBucket turns it on) the encryption context is the bucket ARN, not the object's.
    expect(bySid(s, "EncryptObjects").Condition).toEqual({
      StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": dataArn },
    });
    expect(bySid(s, "ReadSchema")).toMatchObject({
      Action: ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
      Resource: [
        `arn:aws:glue:us-east-1:${ACCOUNT}:catalog`,
        `arn:aws:glue:us-east-1:${ACCOUNT}:database/ccb_prod_analytics`,
        `arn:aws:glue:us-east-1:${ACCOUNT}:table/ccb_prod_analytics/metrics`,
      ],
    });
    expect(bySid(s, "LogErrors").Resource).toEqual([
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/kinesisfirehose/ccb-prod-claude-code-metrics:log-stream:S3Delivery`,
    ]);
    for (const st of s) expect(JSON.stringify(st.Resource)).not.toMatch(/"\*"/);
  });

  it("subscribes the collector's log group and lets CloudWatch Logs put into this stream only", async () => {
    const p = await build();
    const f = recorder.one("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "an-subscription").inputs;
    expect(f.logGroup).toBe(SOURCE.logGroupName);
    expect(f.destinationArn).toBe(await unwrap(p.deliveryStreamArn));
    expect(f.filterPattern).toBe("");
    expect(statementsOf("aws:iam/role:Role", "an-subscription-role", "assumeRolePolicy")[0].Condition).toEqual({
      StringEquals: { "aws:SourceAccount": ACCOUNT },
      ArnLike: { "aws:SourceArn": `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*` },
    });
    expect(statementsOf("aws:iam/rolePolicy:RolePolicy", "an-subscription-policy")).toEqual([
      {
        Sid: "PutIntoStream",
        Effect: "Allow",
        Action: ["firehose:PutRecord", "firehose:PutRecordBatch"],
        Resource: [await unwrap(p.deliveryStreamArn)],
      },
    ]);
    expect(await unwrap(p.sourceLogGroupName)).toBe(SOURCE.logGroupName);
    expect(() => p.grants.writeMetricEvents({ roleName: "collector", key: "collector" })).toThrow(/only for source.createLogGroup/);
  });

  it("can own the EMF log group instead (encrypted, retained) and grant the collector writes on it", async () => {
    const p = await build({ source: { createLogGroup: { retentionDays: 3 } } });
    const g = recorder.one("aws:cloudwatch/logGroup:LogGroup", "an-emf").inputs;
    expect(g).toMatchObject({ name: "/ccb-prod/claude-code/analytics-emf", retentionInDays: 3 });
    expect(g.kmsKeyId).toBeTruthy();
    const w = p.grants.writeMetricEvents({ roleName: "collector-task", key: "collector" });
    await settle();
    const arnOf = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ccb-prod/claude-code/analytics-emf`;
    expect(statementsOf("aws:iam/rolePolicy:RolePolicy", "an-write-metric-events-collector")).toEqual([
      {
        Sid: "WriteEmfLines",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        Resource: [arnOf, `${arnOf}:log-stream:*`],
      },
    ]);
    expect(w.statements).toHaveLength(1);
    expect(recorder.one("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "an-subscription").inputs.logGroup).toBe(
      "/ccb-prod/claude-code/analytics-emf",
    );
  });

  it("enforces the workgroup: engine 3, SSE-KMS results in its own bucket, bytes-scanned cutoff, metrics", async () => {
    const p = await build({ bytesScannedCutoffPerQuery: 2 * 1024 ** 3 });
    const w = recorder.one("aws:athena/workgroup:Workgroup", "an-workgroup").inputs;
    expect(w.configuration).toMatchObject({
      enforceWorkgroupConfiguration: true,
      publishCloudwatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: 2 * 1024 ** 3,
      engineVersion: { selectedEngineVersion: "Athena engine version 3" },
      resultConfiguration: {
        outputLocation: `s3://${await unwrap(p.resultsBucketName)}/athena/`,
        expectedBucketOwner: ACCOUNT,
        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: await unwrap(p.keyArn) },
      },
    });
    const lifecycle = inputsOf<aws.s3.BucketLifecycleConfigurationArgs>(recorder.one(LIFECYCLE, "an-results-lifecycle"), LIFECYCLE);
    expect(lifecycle.rules?.[0]?.expiration?.days).toBe(30);
    expect(
      inputsOf<aws.s3.BucketLifecycleConfigurationArgs>(recorder.one(LIFECYCLE, "an-data-lifecycle"), LIFECYCLE).rules?.[0]?.expiration
        ?.days,
    ).toBe(730);
  });

  it("stores every named query verbatim in the workgroup and database", async () => {
    const p = await build();
    const stored = recorder.byType("aws:athena/namedQuery:NamedQuery");
    expect(stored.map((q) => q.name).sort()).toEqual(NAMED_QUERIES.map((q) => `an-query-${q.key}`).sort());
    for (const q of NAMED_QUERIES) {
      const r = recorder.one("aws:athena/namedQuery:NamedQuery", `an-query-${q.key}`).inputs;
      expect(r).toEqual({
        name: q.name,
        description: q.description,
        database: "ccb_prod_analytics",
        workgroup: "ccb-prod-analytics",
        query: q.sql,
      });
    }
    expect(Object.keys(p.namedQueryIds).sort()).toEqual(NAMED_QUERIES.map((q) => q.key).sort());
  });

  it("the key lets CloudWatch Logs encrypt only this account's log groups; nothing else but the account", async () => {
    await build();
    const s = statementsOf("aws:kms/key:Key", "an-key");
    expect(s.map((x: Sid) => x.Sid)).toEqual(["AccountAdministers", "CloudWatchLogsEncrypts"]);
    expect(bySid(s, "AccountAdministers").Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
    expect(bySid(s, "CloudWatchLogsEncrypts").Condition).toEqual({
      ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*` },
    });
    expect(recorder.one("aws:kms/key:Key", "an-key").inputs.enableKeyRotation).toBe(true);
  });

  it("runQueries grants the workgroup, the catalog, read on data, write on results and the key via S3 — nothing wider", async () => {
    const p = await build();
    const g = p.grants.runQueries({ roleName: "analysts", key: "analysts" });
    await settle();
    const s = statementsOf("aws:iam/rolePolicy:RolePolicy", "an-run-queries-analysts");
    expect(s.map((x: Sid) => x.Sid)).toEqual(g.statements.map((x) => x.Sid));
    expect(s.map((x: Sid) => x.Sid)).toEqual([
      "QueryInWorkgroup",
      "ReadCatalog",
      "ListData",
      "ReadData",
      "ListResults",
      "WriteResults",
      "UseKeyThroughS3",
    ]);
    expect(bySid(s, "QueryInWorkgroup").Resource).toEqual([`arn:aws:athena:us-east-1:${ACCOUNT}:workgroup/ccb-prod-analytics`]);
    expect(bySid(s, "QueryInWorkgroup").Action).toContain("athena:StartQueryExecution");
    expect(stringsOf(bySid(s, "QueryInWorkgroup").Action).some((a) => /Create|Delete|Update/.test(a))).toBe(false);
    expect(stringsOf(bySid(s, "ReadCatalog").Action).some((a) => /Create|Delete|Update|Batch/.test(a))).toBe(false);
    const results = `arn:aws:s3:::${await unwrap(p.resultsBucketName)}`;
    expect(bySid(s, "WriteResults").Resource).toEqual([`${results}/athena/*`]);
    expect(bySid(s, "UseKeyThroughS3").Condition).toEqual({ StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } });
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("uploadUserDirectory writes only under user-directory/", async () => {
    const p = await build();
    p.grants.uploadUserDirectory({ roleName: "hr-sync", key: "hr-sync" });
    await settle();
    const s = statementsOf("aws:iam/rolePolicy:RolePolicy", "an-upload-user-directory-hr-sync");
    expect(bySid(s, "WriteDirectory")).toEqual({
      Sid: "WriteDirectory",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: [`arn:aws:s3:::${await unwrap(p.referenceBucketName)}/user-directory/*`],
    });
  });

  it.each([
    [{ namePrefix: "CCB" }, /`namePrefix`/],
    [{ dataRetentionDays: 0 }, /`dataRetentionDays`/],
    [{ resultsRetentionDays: 400 }, /`resultsRetentionDays`/],
    [{ bytesScannedCutoffPerQuery: 1000 }, /`bytesScannedCutoffPerQuery` .*10 MB/],
    [{ bufferIntervalSeconds: 30 }, /`bufferIntervalSeconds`/],
    [{ source: { createLogGroup: { retentionDays: 2 } } }, /`source.createLogGroup.retentionDays`/],
    [{ modelAliases: [{ id: "x", baseModelId: "anthropic.claude-nope" }] }, /`modelAliases\[0\].baseModelId`/],
    [{ priceOverrides: { "anthropic.claude-nope": { input: 1 } } }, /`priceOverrides` names "anthropic.claude-nope"/],
    [{ priceOverrides: { "anthropic.claude-sonnet-4-5-20250929-v1:0": { input: -1 } } }, /non-negative/],
  ] as const)("refuses bad args %j", (over, message) => {
    expect(() => new analytics.AnalyticsPipeline("bad", args(over as Partial<Analytics.AnalyticsPipelineArgs>))).toThrow(message);
  });
});
