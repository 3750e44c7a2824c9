/**
 * BillingExport under the Pulumi mocks: exact children, the CUR 2.0 export definition (Parquet, daily,
 * resource ids, the principal and tag columns), the bucket policy that lets only Data Exports of this
 * account write, cost allocation tags only where asked, the Glue table's projection over the export's
 * layout, the billing queries stored verbatim, and the security rules.
 */
import * as aws from "@pulumi/aws";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inputsOf, installMocks, policyOf, type ResourceRecorder, settle, statementBySid, stringsOf, unwrap } from "../testing";
import type * as Rules from "../rules";
import type * as Analytics from "./index";
import { BILLING_QUERIES } from "./billing-queries";
import { CUR_COLUMNS } from "./billing-schema";

let recorder: ResourceRecorder;
let analytics: typeof Analytics;
let rules: typeof Rules;
const ACCOUNT = "333333333333";

beforeAll(async () => {
  recorder = await installMocks({ accountId: ACCOUNT, region: "eu-west-1" });
  analytics = await import("./index.js");
  rules = await import("../rules/index.js");
});
beforeEach(() => recorder.clear());

const args = (over: Partial<Analytics.BillingExportArgs> = {}): Analytics.BillingExportArgs => ({
  namePrefix: "ccb-prod",
  databaseName: "ccb_prod_analytics",
  workgroupName: "ccb-prod-analytics",
  retentionDays: 1100,
  exportAccount: {
    id: "222222222222",
    region: "eu-west-1",
    bucket: new aws.Provider("inference", { region: "eu-west-1", allowedAccountIds: ["222222222222"] }),
    billingApi: new aws.Provider("inference-us-east-1", { region: "us-east-1", allowedAccountIds: ["222222222222"] }),
  },
  readerAccountId: ACCOUNT,
  activateCostAllocationTags: true,
  ...over,
});
async function build(over: Partial<Analytics.BillingExportArgs> = {}) {
  const b = new analytics.BillingExport("bill", args(over));
  await unwrap(b.tableName);
  await settle();
  return b;
}

describe("BillingExport", () => {
  it("creates exactly its resources and passes every security rule", async () => {
    await build();
    const counts: Record<string, number> = {};
    for (const r of recorder.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    expect(counts).toMatchObject({
      "claude-code-bedrock:analytics:BillingExport": 1,
      "claude-code-bedrock:storage:SecureBucket": 1,
      "aws:bcmdata/export:Export": 1,
      "aws:costexplorer/costAllocationTag:CostAllocationTag": 3,
      "aws:glue/catalogTable:CatalogTable": 1,
      "aws:athena/namedQuery:NamedQuery": BILLING_QUERIES.length,
    });
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("exports CUR 2.0 daily as Parquet with resource ids and the IAM principal and tag columns", async () => {
    await build();
    const e = inputsOf<aws.bcmdata.ExportArgs>(
      recorder.one("aws:bcmdata/export:Export", "bill-export"),
      "aws:bcmdata/export:Export",
    ).export;
    expect(e?.name).toBe("ccb-prod-bedrock-cur");
    const q = e?.dataQueries?.[0];
    expect(q?.queryStatement).toContain("line_item_iam_principal");
    expect(q?.queryStatement).toContain("resource_tags");
    expect(q?.queryStatement).toMatch(/FROM COST_AND_USAGE_REPORT$/);
    expect(q?.tableConfigurations).toEqual({
      COST_AND_USAGE_REPORT: {
        TIME_GRANULARITY: "DAILY",
        INCLUDE_RESOURCES: "TRUE",
        // Without it CUR 2.0 leaves line_item_iam_principal empty and the per-developer queries see nobody.
        INCLUDE_CALLER_IDENTITY: "TRUE",
        INCLUDE_SPLIT_COST_ALLOCATION_DATA: "FALSE",
        INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: "FALSE",
        BILLING_VIEW_ARN: "arn:aws:billing::222222222222:billingview/primary",
      },
    });
    const d = e?.destinationConfigurations?.[0]?.s3Destinations?.[0];
    expect(d?.s3Prefix).toBe("cur2");
    expect(d?.s3Region).toBe("eu-west-1");
    expect(d?.s3OutputConfigurations).toEqual([
      { outputType: "CUSTOM", format: "PARQUET", compression: "PARQUET", overwrite: "OVERWRITE_REPORT" },
    ]);
    expect(e?.refreshCadences).toEqual([{ frequency: "SYNCHRONOUS" }]);
  });

  it("a stage can rename or switch off the IAM principal configuration and add newer ones without a code change", async () => {
    await build({ tableConfigurationOverrides: { INCLUDE_CALLER_IDENTITY: "FALSE", INCLUDE_NEW_THING: "TRUE" } });
    const e = inputsOf<aws.bcmdata.ExportArgs>(recorder.one("aws:bcmdata/export:Export", "bill-export")).export;
    const c = e?.dataQueries?.[0]?.tableConfigurations?.COST_AND_USAGE_REPORT;
    expect(c).toMatchObject({ INCLUDE_CALLER_IDENTITY: "FALSE", INCLUDE_NEW_THING: "TRUE", INCLUDE_RESOURCES: "TRUE" });
  });

  it("lets only this account's Data Exports write the bucket", async () => {
    await build();
    const policy = policyOf(recorder.one("aws:s3/bucketPolicy:BucketPolicy", "bill-bucket-policy").inputs.policy)!;
    const s = statementBySid(policy.Statement, "DataExportsDelivery");
    expect(s.Principal).toEqual({ Service: ["bcm-data-exports.amazonaws.com", "billingreports.amazonaws.com"] });
    expect(s.Action).toEqual(["s3:GetBucketPolicy", "s3:PutObject"]);
    expect(s.Condition?.StringEquals).toEqual({ "aws:SourceAccount": "222222222222" });
    expect(s.Condition?.ArnLike?.["aws:SourceArn"]).toEqual([
      "arn:aws:cur:us-east-1:222222222222:definition/*",
      "arn:aws:bcm-data-exports:us-east-1:222222222222:export/*",
    ]);
    // The analytics account reads the CUR files (and nothing else, and writes nothing).
    const r = statementBySid(policy.Statement, `AnalyticsAccountReads${ACCOUNT}`);
    expect(r.Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
    expect(stringsOf(r.Action).sort()).toEqual(["s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket"]);
    expect(policy.Statement.filter((x) => x.Effect === "Allow").length).toBe(2);
  });

  it("activates cost allocation tags only when the account may (payer)", async () => {
    await build({ activateCostAllocationTags: false });
    expect(recorder.byType("aws:costexplorer/costAllocationTag:CostAllocationTag")).toEqual([]);
    recorder.clear();
    await build();
    expect(recorder.byType("aws:costexplorer/costAllocationTag:CostAllocationTag").map((t) => [t.inputs.tagKey, t.inputs.status])).toEqual([
      ["team", "Active"],
      ["cost-center", "Active"],
      ["department", "Active"],
    ]);
  });

  it("projects billing periods over the export's layout and stores the queries verbatim", async () => {
    await build();
    const t = inputsOf<aws.glue.CatalogTableArgs>(
      recorder.one("aws:glue/catalogTable:CatalogTable", "bill-table"),
      "aws:glue/catalogTable:CatalogTable",
    );
    expect(t.name).toBe("cur");
    expect(t.parameters?.["projection.billing_period.format"]).toBe("yyyy-MM");
    expect(t.parameters?.["storage.location.template"]).toMatch(
      /\/cur2\/ccb-prod-bedrock-cur\/data\/BILLING_PERIOD=\$\{billing_period\}\/$/,
    );
    expect(t.storageDescriptor?.columns?.map((c) => c.name)).toEqual(CUR_COLUMNS.map((c) => c.name));
    const stored = recorder.byType("aws:athena/namedQuery:NamedQuery");
    for (const q of BILLING_QUERIES) expect(stored.find((s) => s.inputs.name === q.name)?.inputs.query).toBe(q.sql);
  });

  it("puts the bucket and export in the export account, the table and queries in the component's", async () => {
    await build();
    const where = (type: string, name: string) => [recorder.one(type, name).account, recorder.one(type, name).region];
    expect(where("aws:s3/bucket:Bucket", "bill-bucket")).toEqual(["222222222222", "eu-west-1"]);
    expect(where("aws:s3/bucketPolicy:BucketPolicy", "bill-bucket-policy")).toEqual(["222222222222", "eu-west-1"]);
    expect(where("aws:bcmdata/export:Export", "bill-export")).toEqual(["222222222222", "us-east-1"]);
    expect(where("aws:costexplorer/costAllocationTag:CostAllocationTag", "bill-tag-team")).toEqual(["222222222222", "us-east-1"]);
    expect(where("aws:glue/catalogTable:CatalogTable", "bill-table")).toEqual([ACCOUNT, "eu-west-1"]);
  });

  it("rejects a short retention and malformed table configurations with the key named", () => {
    expect(
      () => new analytics.BillingExport("bad", args({ retentionDays: 30, tableConfigurationOverrides: { "include-x": "TRUE" } })),
    ).toThrow(/`retentionDays` must be .*≥ 400.*`tableConfigurationOverrides.include-x`/);
  });
});
