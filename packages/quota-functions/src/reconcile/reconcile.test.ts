/**
 * `quota reconcile` against Athena on a moto server: the reconciliation named queries exist in the
 * workgroup under the names the stack gives them, each execution answers with rows in the named
 * queries' column layout, and the command prints estimate, bill and drift per developer and team and
 * day, judging only settled days above the noise floor, with exit code 1 beyond --threshold.
 */
import { AthenaClient, CreateNamedQueryCommand, CreateWorkGroupCommand, ListQueryExecutionsCommand } from "@aws-sdk/client-athena";
import { RECONCILIATION_QUERY_NAMES } from "@ccb/contracts";
import { startMoto, type Moto } from "@ccb/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../admin/cli.js";
import { judge, openFrom, toReconRows } from "./report.js";

const NOW = Date.parse("2026-12-03T09:00:00Z");
const WG = "ccb-prod-analytics";
const DEV_COLUMNS = ["usage_day", "developer", "estimate_usd", "billed_usd", "drift_pct"];
const TEAM_COLUMNS = ["usage_day", "team", "estimate_usd", "billed_usd", "drift_pct"];

let moto: Moto;
let athena: AthenaClient;
beforeAll(async () => {
  moto = await startMoto();
  athena = new AthenaClient(moto.clientOptions);
  await athena.send(new CreateWorkGroupCommand({ Name: WG, Configuration: { ResultConfiguration: { OutputLocation: "s3://results/" } } }));
  // Another query in the workgroup first: the command must pick the reconciliation ones by name.
  await athena.send(
    new CreateNamedQueryCommand({ Name: "Monthly tokens by department", Database: "ccb", QueryString: "SELECT 1", WorkGroup: WG }),
  );
  for (const [key, name] of Object.entries(RECONCILIATION_QUERY_NAMES))
    await athena.send(new CreateNamedQueryCommand({ Name: name, Database: "ccb_prod", QueryString: `SELECT '${key}'`, WorkGroup: WG }));
}, 60_000);
afterAll(async () => {
  athena?.destroy();
  await moto?.close();
});

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    {
      store: undefined as never,
      out: (l) => out.push(l),
      now: () => NOW,
      whoami: async () => "",
      reconcile: { athena, workgroup: WG, pollMs: 5 },
    },
    (l) => err.push(l),
  );
  return { code, out, err };
}

describe("quota reconcile", () => {
  it("prints estimate, bill and drift per developer and team and day, and exits 1 when a settled day drifts beyond the threshold", async () => {
    await moto.setAthenaResults([
      {
        columns: DEV_COLUMNS,
        rows: [
          ["2026-11-29", "alice@example.com", "10.5000", "10.0000", "5.0"],
          ["2026-11-29", "bob@example.com", "6.0000", "4.0000", "50.0"],
          ["2026-11-30", "carol@example.com", "0.4000", "0.1000", "300.0"],
          ["2026-12-02", "alice@example.com", "8.0000", "1.0000", "700.0"],
        ],
      },
      { columns: TEAM_COLUMNS, rows: [["2026-11-29", "platform", "16.5000", "14.0000", "17.9"]] },
    ]);
    const r = await run(["reconcile", "--threshold", "20"]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatch(/^DAY\s+BY\s+WHO\s+ESTIMATE\s+BILLED\s+DRIFT$/);
    const line = (who: string, day: string) => r.out.find((l) => l.includes(who) && l.startsWith(day))!;
    expect(line("alice@example.com", "2026-11-29")).toMatch(/developer\s+alice@example.com\s+\$10\.50\s+\$10\.00\s+\+5\.0%$/);
    expect(line("bob@example.com", "2026-11-29")).toMatch(/\+50\.0%\s+DRIFT$/);
    // Below the $1 noise floor on both sides: shown, not judged.
    expect(line("carol@example.com", "2026-11-30")).toMatch(/\+300\.0%\s+small$/);
    // Yesterday is still being billed (settle 2 days): shown, not judged.
    expect(line("alice@example.com", "2026-12-02")).toMatch(/\+700\.0%\s+open$/);
    expect(line("platform", "2026-11-29")).toMatch(/team\s+platform\s+\$16\.50\s+\$14\.00\s+\+17\.9%$/);
    expect(r.out.at(-1)).toBe("1 developer/team day(s) drift beyond ±20% (largest 50.0%)");
    // Both queries ran in the workgroup.
    const ex = await athena.send(new ListQueryExecutionsCommand({ WorkGroup: WG }));
    expect(ex.QueryExecutionIds!.length).toBeGreaterThanOrEqual(2);
  });

  it("exits 0 when every settled day is within the threshold; --by team runs only the team query; --json carries the verdicts", async () => {
    await moto.setAthenaResults([{ columns: TEAM_COLUMNS, rows: [["2026-11-29", "platform", "16.5000", "15.8000", "4.4"]] }]);
    const r = await run(["reconcile", "--by", "team", "--threshold", "5", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out[0]!) as { maxAbsDriftPct: number; drifting: number; rows: Array<{ by: string; verdict: string }> };
    expect(doc).toMatchObject({ maxAbsDriftPct: 4.4, drifting: 0 });
    expect(doc.rows).toEqual([expect.objectContaining({ by: "team", who: "platform", verdict: "ok", estimateUsd: 16.5, billedUsd: 15.8 })]);
  });

  it("explains a missing named query and a bad flag with exit code 2", async () => {
    const bad = await run(["reconcile", "--threshold=-3"]);
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toMatch(/--threshold "-3" must be a number ≥ 0/);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ["reconcile"],
      {
        store: undefined as never,
        out: (l) => out.push(l),
        now: () => NOW,
        whoami: async () => "",
        reconcile: { athena, workgroup: "primary", pollMs: 5 },
      },
      (l) => err.push(l),
    );
    expect(code).toBe(1);
    expect(err[0]).toMatch(/no named query "Estimate vs bill per developer and day \(drift %\)" in workgroup primary/);
  });
});

describe("npm run quota -- reconcile (the real entry point)", () => {
  it("builds its Athena client from the environment, takes the workgroup from CCB_ATHENA_WORKGROUP and exits with the verdict", async () => {
    const { spawnSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    await moto.setAthenaResults([
      { columns: DEV_COLUMNS, rows: [["2020-01-02", "alice@example.com", "30.0000", "10.0000", "200.0"]] },
      { columns: TEAM_COLUMNS, rows: [] },
    ]);
    const cli = fileURLToPath(new URL("../admin/cli.ts", import.meta.url));
    const r = spawnSync(process.execPath, ["--import", "tsx", cli, "reconcile", "--threshold", "50", "--region", "us-east-1"], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: moto.url,
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        CCB_ATHENA_WORKGROUP: WG,
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/2020-01-02\s+developer\s+alice@example.com\s+\$30\.00\s+\$10\.00\s+\+200\.0%\s+DRIFT/);
    expect(r.status).toBe(1);
  }, 90_000);
});

describe("judging drift", () => {
  it("counts an estimate with no bill as 100 % and a day with neither as no drift", () => {
    const rows = toReconRows("developer", [
      { usage_day: "2026-11-20", developer: "dan@example.com", estimate_usd: "5", billed_usd: "0", drift_pct: undefined },
      { usage_day: "2026-11-20", developer: "eve@example.com", estimate_usd: "0", billed_usd: "3", drift_pct: "-100.0" },
    ]);
    const j = judge(rows, { thresholdPercent: 150, minUsd: 1, openFrom: openFrom(NOW, 2) });
    expect(j.rows.map((r) => [r.who, r.absDriftPct, r.verdict])).toEqual([
      ["dan@example.com", 100, "ok"],
      ["eve@example.com", 100, "ok"],
    ]);
    expect(judge(rows, { thresholdPercent: 99, minUsd: 1, openFrom: "2026-12-01" }).drifting).toBe(2);
  });

  it("opens the window settleDays before now (UTC)", () => {
    expect(openFrom(NOW, 2)).toBe("2026-12-01");
    expect(openFrom(NOW, 0)).toBe("2026-12-03");
  });
});

describe("daily reconciliation", () => {
  it("publishes the largest settled |drift| of developers and teams to CloudWatch (moto) for the billed-drift alarm", async () => {
    const { CloudWatchClient, GetMetricStatisticsCommand, PutMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
    const { runReconciliation } = await import("./run.js");
    const { memoryLogger } = await import("../log.js");
    const cw = new CloudWatchClient(moto.clientOptions);
    await moto.setAthenaResults([
      {
        columns: DEV_COLUMNS,
        rows: [
          ["2026-11-29", "alice@example.com", "10.0000", "8.0000", "25.0"],
          ["2026-12-02", "bob@example.com", "90.0000", "1.0000", "8900.0"],
        ],
      },
      { columns: TEAM_COLUMNS, rows: [["2026-11-29", "platform", "12.0000", "13.0000", "-7.7"]] },
    ]);
    const log = memoryLogger();
    const s = await runReconciliation({
      athena,
      workgroup: WG,
      thresholdPercent: 20,
      minUsd: 1,
      settleDays: 2,
      pollMs: 5,
      now: () => NOW,
      log,
      putMetric: async (name, value) => {
        await cw.send(
          new PutMetricDataCommand({
            Namespace: "ClaudeCode/Quotas",
            MetricData: [
              { MetricName: name, Value: value, Unit: "Percent", Dimensions: [{ Name: "Stage", Value: "prod" }], Timestamp: new Date() },
            ],
          }),
        );
      },
    });
    // Bob's open day (still being billed) does not count; Alice's settled 25 % does.
    expect(s).toEqual({ maxAbsDriftPct: 25, drifting: 1 });
    expect(log.lines.find((l) => l.msg === "estimate and bill disagree")).toMatchObject({ who: "alice@example.com", driftPct: 25 });
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "ClaudeCode/Quotas",
        MetricName: "BilledDriftPercentMax",
        Dimensions: [{ Name: "Stage", Value: "prod" }],
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(Date.now() + 3_600_000),
        Period: 86_400,
        Statistics: ["Maximum"],
      }),
    );
    expect(stats.Datapoints?.[0]?.Maximum).toBe(25);
    cw.destroy();
  });
});
