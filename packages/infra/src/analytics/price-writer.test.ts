/**
 * The pricing table with a daily price source as its second writer: the deploy-time CSV becomes the
 * fallback a later `pulumi up` leaves alone, the row catalog the source reprices lands beside it
 * (outside the table's location), and a writer in another account gets exactly the pricing prefix
 * from the reference bucket's and the key's policies, pinned to its role and account.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { parsePricingCatalog } from "@ccb/contracts";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inputsOf, installMocks, policyOf, type ResourceRecorder, settle, unwrap } from "../testing";
import type * as Rules from "../rules";
import type * as Analytics from "./index";

let recorder: ResourceRecorder;
let analytics: typeof Analytics;
let rules: typeof Rules;
const ACCOUNT = "333333333333";
const WRITER_ACCOUNT = "222222222222";
const ROLE = `arn:aws:iam::${WRITER_ACCOUNT}:role/quota-prices-role-1a2b3c`;
const OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2";

beforeAll(async () => {
  recorder = await installMocks({ accountId: ACCOUNT, region: "us-east-1" });
  analytics = await import("./index.js");
  rules = await import("../rules/index.js");
});
beforeEach(() => recorder.clear());

const ALIAS = "arn:aws:bedrock:us-east-1:222222222222:application-inference-profile/abc123";
const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";

/** Builds the pipeline and records every child's resource options (ignoreChanges is not an input). */
async function build(priceWriter?: Analytics.PriceWriter) {
  const opts = new Map<string, pulumi.ResourceOptions>();
  const p = new analytics.AnalyticsPipeline(
    "an",
    {
      namePrefix: "ccb-prod",
      source: { logGroupName: "/ccb-prod/claude-code/metrics", logGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/m` },
      dataRetentionDays: 730,
      permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/ccb-test-workload-boundary`,
      modelAliases: [{ id: ALIAS, baseModelId: SONNET }],
      ...(priceWriter ? { priceWriter } : {}),
    },
    {
      transformations: [
        (a) => {
          opts.set(a.name, a.opts);
          return undefined;
        },
      ],
    },
  );
  await unwrap(p.workgroupName);
  await settle();
  return opts;
}
const statementsOf = (type: string, name: string) =>
  policyOf(recorder.one(type, name).inputs.policy)!.Statement as Array<{
    Sid?: string;
    Action: string[];
    Resource: string | string[];
    Principal?: unknown;
    Condition?: unknown;
  }>;

describe("pricing table with a price source", () => {
  it("without one: Pulumi owns the CSV (no ignoreChanges), no row catalog, no grants to anyone else", async () => {
    const opts = await build();
    expect(opts.get("an-prices")?.ignoreChanges ?? []).toEqual([]);
    expect(recorder.byType(OBJECT).map((o) => o.name)).toEqual(["an-prices"]);
    expect(statementsOf("aws:kms/key:Key", "an-key").map((s) => s.Sid)).toEqual(["AccountAdministers", "CloudWatchLogsEncrypts"]);
  });

  it("the deploy-time CSV is written once as the fallback, and the row catalog beside it carries every row with its base model", async () => {
    const opts = await build({});
    expect(opts.get("an-prices")?.ignoreChanges).toEqual(["content", "tags", "tagsAll"]);
    // The row catalog is Pulumi's: it follows every deploy (new team profiles) and is read, never written, by the source.
    expect(opts.get("an-price-catalog")?.ignoreChanges ?? []).toEqual([]);
    const catalog = inputsOf<aws.s3.BucketObjectv2Args>(recorder.one(OBJECT, "an-price-catalog"));
    expect(catalog.key).toBe("pricing-catalog/rows.json");
    expect(catalog.key?.startsWith("pricing/")).toBe(false);
    expect(catalog.serverSideEncryption).toBe("aws:kms");
    const rows = parsePricingCatalog(String(catalog.content));
    expect(rows.find((r) => r.modelId === ALIAS)).toMatchObject({ family: "sonnet", baseModelId: SONNET });
    expect(rows.find((r) => r.modelId === `global.${SONNET}`)).toMatchObject({ baseModelId: SONNET });
    // The same ids in the same order as the CSV the table reads at first.
    const csvIds = String(recorder.one(OBJECT, "an-prices").inputs.content)
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",")[0]);
    expect(rows.map((r) => r.modelId)).toEqual(csvIds);
    // Same account: the writer's own identity policy suffices; no resource policy names anyone.
    expect(statementsOf("aws:kms/key:Key", "an-key").map((s) => s.Sid)).toEqual(["AccountAdministers", "CloudWatchLogsEncrypts"]);
    expect(statementsOf("aws:s3/bucketPolicy:BucketPolicy", "an-reference-policy").map((s) => s.Sid)).toEqual(["DenyInsecureTransport"]);
  });

  it("a writer in another account: bucket and key policies name exactly its role, the pricing prefix, its account and organization", async () => {
    await build({ crossAccount: { roleArn: ROLE, accountId: WRITER_ACCOUNT, organizationId: "o-exampleorg1" } });
    const pinned = { "aws:PrincipalAccount": WRITER_ACCOUNT, "aws:PrincipalOrgID": "o-exampleorg1" };
    const bucket = statementsOf("aws:s3/bucketPolicy:BucketPolicy", "an-reference-policy");
    const granted = bucket.filter((s) => s.Sid !== "DenyInsecureTransport");
    expect(granted.map((s) => s.Sid)).toEqual(["PriceSourceWritesPricing", "PriceSourceReadsPricingCatalog"]);
    const [write, read] = granted;
    expect(write).toMatchObject({ Action: ["s3:PutObject"], Principal: { AWS: ROLE }, Condition: { StringEquals: pinned } });
    expect([write!.Resource].flat()).toEqual([expect.stringMatching(/^arn:aws:s3:::[^/]+\/pricing\/\*$/)]);
    expect(read).toMatchObject({ Action: ["s3:GetObject"], Principal: { AWS: ROLE }, Condition: { StringEquals: pinned } });
    expect([read!.Resource].flat()).toEqual([expect.stringMatching(/^arn:aws:s3:::[^/]+\/pricing-catalog\/rows\.json$/)]);
    // The other buckets grant the writer nothing.
    for (const other of ["an-data-policy", "an-results-policy"])
      expect(JSON.stringify(statementsOf("aws:s3/bucketPolicy:BucketPolicy", other))).not.toContain(WRITER_ACCOUNT);

    const key = statementsOf("aws:kms/key:Key", "an-key").find((s) => s.Sid === "PriceSourceEncryptsPricing")!;
    expect(key).toMatchObject({
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Principal: { AWS: ROLE },
      Condition: { StringEquals: { ...pinned, "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
    });
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });
});
