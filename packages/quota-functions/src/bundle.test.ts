/**
 * The Lambda artifacts as deployed: bundled with the same esbuild settings as stacks/compose/lambda-code.ts
 * (one ESM file, AWS SDK external), loaded from disk, and invoked. The check handler runs against the
 * local DynamoDB with the environment the component sets.
 */
import { buildSync } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalDynamo, type LocalDynamo } from "./testing/dynalite.js";

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(pkg, "dist", `bundle-test-${process.pid}`);

function bundle(entry: string): string {
  const r = buildSync({
    entryPoints: [path.join(pkg, "src", entry)],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    write: false,
    external: ["@aws-sdk/*", "@smithy/*"],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: "silent",
  });
  const file = path.join(out, `${entry.replace(/[/.]/g, "-")}.mjs`);
  writeFileSync(file, r.outputFiles[0]!.text);
  return file;
}

let db: LocalDynamo;
const saved = { ...process.env };
beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  db = await startLocalDynamo();
});
afterAll(async () => {
  process.env = saved;
  await db.close();
  rmSync(out, { recursive: true, force: true });
});

describe("bundled Lambda code", () => {
  it("the check handler answers from the tables, configured only by its environment", async () => {
    Object.assign(process.env, {
      DEFAULT_LIMITS: JSON.stringify({ monthlyCostUsd: 100, monthlyMode: "block", dailyMode: "alert" }),
      LIMITS_TABLE: db.store.limitsTable,
      USAGE_TABLE: db.store.usageTable,
      THRESHOLDS: "80,90,100",
      ENFORCE_ON: "max",
      EMAIL_CLAIM: "email",
      GROUPS_CLAIMS: "groups",
      MISSING_IDENTITY: "block",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    });
    const mod = (await import(pathToFileURL(bundle("check/handler.ts")).href)) as {
      handler: (e: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const res = await mod.handler({
      requestContext: { authorizer: { jwt: { claims: { email: "alice@example.com", groups: "[dev]" } } }, http: { method: "GET" } },
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ allowed: true, mode: "block", reason: "within_quota", policy: { scope: "default" } });
  });

  it("the aggregation handler loads and refuses to run without its configuration, naming the variable", async () => {
    delete process.env.LIMITS_TABLE;
    const mod = (await import(pathToFileURL(bundle("aggregate/handler.ts")).href)) as { handler: () => Promise<unknown> };
    await expect(mod.handler()).rejects.toThrow(/LIMITS_TABLE is required|PRICING_JSON|TELEMETRY_SOURCE or INVOCATION_LOGS_SOURCE/);
  });

  it("the price source and reconciliation handlers bundle and refuse to run without their configuration, naming the variable", async () => {
    delete process.env.PRICE_REGION;
    delete process.env.ATHENA_WORKGROUP;
    const prices = (await import(pathToFileURL(bundle("prices/handler.ts")).href)) as { handler: () => Promise<unknown> };
    await expect(prices.handler()).rejects.toThrow(/PRICE_REGION/);
    Object.assign(process.env, { STAGE: "prod", METRICS_NAMESPACE: "ClaudeCode/Quotas" });
    const reconcile = (await import(pathToFileURL(bundle("reconcile/handler.ts")).href)) as { handler: () => Promise<unknown> };
    await expect(reconcile.handler()).rejects.toThrow(/ATHENA_WORKGROUP/);
  });
});
