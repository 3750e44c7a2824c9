import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { LocalDynamo } from "../testing/dynalite.js";
import { useQuotaTables } from "../testing/quota-tables.js";
import { harness, ScriptedSource } from "../testing/fakes.js";
import { QuotaStore } from "../store.js";
import { windowOf } from "../periods.js";
import { runAggregation } from "../aggregate/run.js";
import { parseAmount, resolveTables, runCli, type CliDeps } from "./cli.js";

const NOON = Date.UTC(2026, 10, 26, 12, 0, 0);
const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";

let db: LocalDynamo;
let store: QuotaStore;
useQuotaTables("cli", (t) => ({ db, store } = t));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const d: CliDeps = {
    store,
    out: (l) => out.push(l),
    now: () => NOON,
    whoami: async () => "arn:aws:sts::111111111111:assumed-role/admins/root@example.com",
  };
  const code = await runCli(argv, d, (l) => err.push(l));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("quota CLI", () => {
  it("parses amounts the way admins write them", () => {
    expect(parseAmount("300M", "--monthly-tokens")).toBe(300_000_000);
    expect(parseAmount("1.5B", "x")).toBe(1_500_000_000);
    expect(parseAmount("$50", "x")).toBe(50);
    expect(parseAmount("1_000", "x")).toBe(1000);
    expect(() => parseAmount("0", "--monthly-usd")).toThrow(/--clear monthly-usd/);
    expect(() => parseAmount("lots", "--daily-usd")).toThrow(/not a number/);
  });

  it("set creates and updates a user record, keeping what was not changed, recording who", async () => {
    expect(await cli("set", "user", "Alice@Example.com", "--monthly-usd", "300", "--daily-usd", "60", "--mode", "block")).toMatchObject({
      code: 0,
      out: "created user alice@example.com: monthly-usd $300.00, daily-usd $60.00 (monthly block, daily block)",
    });
    expect((await cli("set", "user", "alice@example.com", "--daily-mode", "alert", "--clear", "daily-usd")).out).toBe(
      "updated user alice@example.com: monthly-usd $300.00 (monthly block, daily alert)",
    );
    const [rec] = await store.listLimits("user");
    expect(rec).toMatchObject({
      id: "alice@example.com",
      monthlyCostUsd: 300,
      monthlyMode: "block",
      dailyMode: "alert",
      updatedBy: "arn:aws:sts::111111111111:assumed-role/admins/root@example.com",
    });
    expect(rec!.dailyCostUsd).toBeUndefined();
  });

  it("set writes per-minute rate limits on user and group records, and clears them", async () => {
    expect((await cli("set", "user", "bob@example.com", "--tpm", "400k", "--rpm", "60")).out).toBe(
      "created user bob@example.com: tpm 400.0k, rpm 60 (monthly alert, daily alert)",
    );
    expect(await store.listLimits("user")).toEqual([
      expect.objectContaining({ id: "bob@example.com", tokensPerMinute: 400_000, requestsPerMinute: 60 }),
    ]);
    expect((await cli("set", "user", "bob@example.com", "--clear", "tpm")).out).toBe(
      "updated user bob@example.com: rpm 60 (monthly alert, daily alert)",
    );
    expect((await cli("set", "group", "interns", "--rpm", "20")).code).toBe(0);
    expect((await store.limitsFor("x@example.com", ["interns"])).group.get("interns")?.requestsPerMinute).toBe(20);
    expect(await cli("set", "user", "bob@example.com", "--tpm", "0")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--clear tpm"),
    });
  });

  it("refuses what would be wrong, saying how to fix it", async () => {
    expect(await cli("set", "default", "--monthly-usd", "10")).toMatchObject({
      code: 2,
      err: expect.stringContaining("stage.quotas.defaults in Pulumi.<stage>.yaml"),
    });
    expect(await cli("set", "user", "bob", "--monthly-usd", "10")).toMatchObject({
      code: 2,
      err: expect.stringContaining("not an email address"),
    });
    expect(await cli("set", "group", "ml", "--monthly-usd", "10", "--daily-usd", "20")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--daily-usd is larger"),
    });
    expect(await cli("set", "group", "ml")).toMatchObject({ code: 2, err: expect.stringContaining("give at least one limit") });
    expect(await cli("set", "group", "ml", "--mode", "maybe")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--mode must be alert or block"),
    });
    expect(await cli("frobnicate")).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "frobnicate"') });
    expect(await cli("list", "--bogus")).toMatchObject({ code: 2, err: expect.stringContaining("--bogus") });
  });

  it("the stage's default limit (not a table record) is listed and applied", async () => {
    const withDefault = new QuotaStore(db.client, store.limitsTable, store.usageTable, {
      scope: "default",
      id: "default",
      monthlyCostUsd: 5,
      monthlyMode: "block",
      dailyMode: "alert",
      updatedBy: "stage config",
    });
    const out: string[] = [];
    await runCli(
      ["list", "default"],
      { store: withDefault, out: (l) => out.push(l), now: () => NOON, whoami: async () => "x" },
      () => undefined,
    );
    expect(out.join("\n")).toMatch(/default\s+default\s+\$5\.00.*block\/alert\s+stage config/);
  });

  it("list shows every record; delete removes one", async () => {
    await cli("set", "group", "interns", "--monthly-tokens", "50M", "--mode", "block");
    await cli("set", "user", "a@example.com", "--monthly-usd", "10");
    await store.putLimit({ scope: "default", id: "default", monthlyCostUsd: 200, monthlyMode: "alert", dailyMode: "alert" });
    const listed = await cli("list");
    expect(listed.out.split("\n")).toEqual([
      expect.stringMatching(/^SCOPE\s+ID\s+MONTHLY USD/),
      expect.stringMatching(/^default\s+default\s+\$200\.00/),
      expect.stringMatching(/^group\s+interns\s+-\s+-\s+50\.00M\s+-\s+block\/block/),
      expect.stringMatching(/^user\s+a@example\.com\s+\$10\.00/),
    ]);
    expect(JSON.parse((await cli("list", "group", "--json")).out)).toHaveLength(1);
    expect(await cli("delete", "group", "interns")).toMatchObject({ code: 0, out: "deleted group interns" });
    expect(await cli("delete", "group", "interns")).toMatchObject({ code: 1, out: "no group record interns" });
  });

  it("usage and show report both records of usage, the limits that apply and the alerts sent", async () => {
    await store.putLimit({ scope: "default", id: "default", monthlyCostUsd: 1, monthlyMode: "block", dailyMode: "alert" });
    const w = windowOf(NOON - 10 * 60_000) - 1;
    const h = harness(store, [
      new ScriptedSource("tel").set(w, {
        "alice@example.com": { [SONNET]: { output: 50_000 } },
        "bob@example.com": { [SONNET]: { output: 1000, cacheRead: 1_000_000 } },
      }),
      new ScriptedSource("srv").set(w, {
        "alice@example.com": { [SONNET]: { output: 100_000 } },
        "bob@example.com": { [SONNET]: { output: 1000, cacheRead: 1_000_000 } },
      }),
    ]);
    await runAggregation(h.deps);
    const u = await cli("usage", "--json");
    expect(JSON.parse(u.out)).toMatchObject({
      period: "2026-11",
      users: 2,
      rows: [
        { email: "alice@example.com", costUsd: 1.5, tokens: 100_000, telemetryTokens: 50_000, invocationLogTokens: 100_000 },
        { email: "bob@example.com", costUsd: 0.315, cacheReadTokens: 1_000_000 },
      ],
    });
    const byTokens = JSON.parse((await cli("usage", "--sort", "tokens", "--top", "1", "--json")).out);
    expect(byTokens.rows.map((r: { email: string }) => r.email)).toEqual(["bob@example.com"]);
    const s = await cli("show", "alice@example.com");
    expect(s.out).toContain("alice@example.com  BLOCKED");
    expect(s.out).toContain("limits from: default default; monthly block, daily alert");
    expect(s.out).toMatch(/2026-11\s+invocation logs\s+100\.0k\s+\$1\.50/);
    expect(s.out).toContain("monthlyCostUsd: 150% of $1.00 (block)");
    expect(s.out).toContain("alert sent 2026-11-26T12:00:00.000Z: monthlyCostUsd 100%");
    expect(JSON.parse((await cli("show", "bob@example.com", "--json")).out)).toMatchObject({
      blocked: false,
      statuses: [{ limit: "monthlyCostUsd", percent: 31.5 }],
    });
    expect(await cli("usage", "--month", "Nov")).toMatchObject({ code: 2, err: expect.stringContaining("2026-11") });
  });

  it("unblock is temporary (capped at 7 days), recorded with who and why, and can be cancelled", async () => {
    await store.putLimit({ scope: "default", id: "default", monthlyCostUsd: 1, monthlyMode: "block", dailyMode: "alert" });
    expect(await cli("unblock", "alice@example.com", "--for", "24h")).toMatchObject({ code: 2, err: expect.stringContaining("--reason") });
    expect((await cli("unblock", "alice@example.com", "--for", "30d", "--reason", "release week")).out).toContain(
      "until 2026-12-03T12:00:00.000Z (capped at 7 days)",
    );
    expect(await store.getUnblock("alice@example.com")).toMatchObject({
      until: "2026-12-03T12:00:00.000Z",
      reason: "release week",
      by: expect.stringContaining("admins"),
    });
    // until-reset for a monthly block: the 1st of next month (within the cap here).
    expect((await cli("unblock", "alice@example.com", "--for", "until-reset", "--reason", "release week")).out).toContain(
      "until 2026-12-01T00:00:00.000Z.",
    );
    expect(await cli("unblock", "alice@example.com", "--cancel")).toMatchObject({ code: 0 });
    expect(await store.getUnblock("alice@example.com")).toBeUndefined();
    expect(await cli("unblock", "alice@example.com", "--for", "1w", "--reason", "xyz")).toMatchObject({
      code: 2,
      err: expect.stringContaining("90m, 24h or 7d"),
    });
  });

  it("warns when a block record is written to an alert-only stage (the stage mode caps it)", async () => {
    const out: string[] = [];
    const d: CliDeps = { store, out: (l) => out.push(l), now: () => NOON, whoami: async () => "admin", stageMode: "alert" };
    expect(await runCli(["set", "group", "interns", "--monthly-usd", "50", "--mode", "block"], d, () => undefined)).toBe(0);
    expect(out.join("\n")).toMatch(/warning: this stage's quotas.mode is alert, so nobody is refused/);
    out.length = 0;
    expect(await runCli(["set", "group", "staff", "--monthly-usd", "50", "--mode", "alert"], d, () => undefined)).toBe(0);
    expect(out.join("\n")).not.toMatch(/warning/);
    expect(
      await runCli(["set", "group", "interns", "--monthly-usd", "50", "--mode", "block"], { ...d, stageMode: "block" }, () => undefined),
    ).toBe(0);
  });

  it("finds the tables from flags, environment or pulumi stack outputs", () => {
    expect(resolveTables({ "limits-table": "l", "usage-table": "u" }, {})).toEqual({ limits: "l", usage: "u" });
    expect(resolveTables({}, { CCB_QUOTA_LIMITS_TABLE: "l2", CCB_QUOTA_USAGE_TABLE: "u2" })).toEqual({ limits: "l2", usage: "u2" });
    expect(() => resolveTables({}, {})).toThrow(/pulumi stack output --json/);
    const file = path.join(os.tmpdir(), `quota-outputs-${process.pid}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        quotaLimitsTable: "l3",
        quotaUsageTable: "u3",
        quotaDefaultLimits: { monthlyCostUsd: 300, monthlyMode: "block", dailyMode: "alert" },
      }),
    );
    expect(resolveTables({ outputs: file }, {})).toMatchObject({
      limits: "l3",
      usage: "u3",
      defaultLimit: { scope: "default", monthlyCostUsd: 300, monthlyMode: "block" },
    });
    writeFileSync(file, JSON.stringify({ quotaLimitsTable: "l3", quotaUsageTable: "u3", quotaMode: "alert" }));
    expect(resolveTables({ outputs: file }, {})).toMatchObject({ stageMode: "alert" });
    expect(resolveTables({ "limits-table": "l", "usage-table": "u" }, { CCB_QUOTA_MODE: "block" })).toMatchObject({ stageMode: "block" });
    expect(() => resolveTables({ "limits-table": "l", "usage-table": "u" }, { CCB_QUOTA_MODE: "soft" })).toThrow(
      /CCB_QUOTA_MODE.*must be alert or block/,
    );
    rmSync(file);
  });

  it("runs as `npm run quota` in a real process against the local DynamoDB", async () => {
    await store.putLimit({ scope: "group", id: "ml", monthlyTokens: 1e6, monthlyMode: "alert", dailyMode: "alert" });
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
    const { stdout } = await promisify(execFile)(
      path.join(root, "node_modules/.bin/tsx"),
      ["packages/quota-functions/src/admin/cli.ts", "list", "group", "--endpoint", db.endpoint, "--region", "us-east-1"],
      {
        cwd: root,
        env: {
          ...process.env,
          CCB_QUOTA_LIMITS_TABLE: store.limitsTable,
          CCB_QUOTA_USAGE_TABLE: store.usageTable,
          AWS_ACCESS_KEY_ID: "local",
          AWS_SECRET_ACCESS_KEY: "local",
          AWS_PROFILE: "",
          AWS_CONFIG_FILE: "/dev/null",
          AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        },
      },
    );
    expect(stdout).toMatch(/group\s+ml\s+-\s+-\s+1\.00M/);
  });
});
