import { parseTelemetryAggregatorEnv } from "@ccb/contracts";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { field, type Row } from "./insights.js";
import { type AggregatorConfig, type AggregatorDeps, type Run, startRun, type WindowName } from "./run.js";
import { putLeaderboards, putSpend, spendByUserAndModel, tokensByUserAndModel } from "./spend.js";

export type { AggregatorConfig, AggregatorDeps, Names } from "./run.js";

/**
 * The aggregations the dashboard needs and CloudWatch cannot do: distinct active users per hour, day
 * and week; leaderboards (tokens, estimated cost, lines of code, active time, cache savings); estimated
 * cost and prompt-cache savings by model from token counts and prices; the operations breakdown from
 * Claude Code's tool decisions. Source: the collector's EMF records and events in CloudWatch Logs, which
 * keep every attribute (the collector set the identity ones from the validated token). Output: custom
 * metrics in the aggregates namespace. Every name comes from the configuration the infrastructure
 * writes (one source of truth: packages/infra/src/telemetry/metrics.ts).
 */

/**
 * Reads the configuration the infrastructure sets (the contract's parser; throws naming the missing
 * variable). The price book's models are keyed by match key; the function matches by containment.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): AggregatorConfig {
  const c = parseTelemetryAggregatorEnv(env);
  return { ...c, prices: Object.entries(c.prices.models).map(([key, price]) => ({ key, ...price })) };
}

export interface AggregateResult {
  readonly windows: readonly WindowName[];
  readonly metrics: number;
  readonly unpricedModels: readonly string[];
}

/** Steps in order: active users → per window (day, week) cost and savings, the week's leaderboards → operations → publish. */
export async function aggregate(deps: AggregatorDeps, cfg: AggregatorConfig, opts: { all?: boolean } = {}): Promise<AggregateResult> {
  const now = deps.now();
  const heavy = opts.all === true || now.getUTCMinutes() < cfg.everyMinutes;
  const windows: WindowName[] = heavy ? ["1h", "1d", "7d"] : ["1h"];
  const run = startRun(deps, cfg, now);

  await putActiveUsers(run, windows);
  for (const w of windows.filter((x) => x !== "1h")) {
    const spend = spendByUserAndModel(run, await tokensByUserAndModel(run, w));
    putSpend(run, w, spend);
    if (w === "7d") await putLeaderboards(run, spend.byUser);
  }
  if (cfg.eventsLogGroup) await putOperations(run, cfg.eventsLogGroup);
  await publish(run);
  return { windows, metrics: run.data.length, unpricedModels: [...run.unpriced].sort() };
}

/** Distinct users with any Claude Code data in each window (exact up to 10,000 users). */
async function putActiveUsers(run: Run, windows: readonly WindowName[]): Promise<void> {
  const { n, email } = run;
  for (const w of windows) {
    const users = await run.q(
      run.cfg.metricsLogGroup,
      `filter ispresent(${email}) | stats count(*) as records by ${email} | limit 10000`,
      w,
    );
    run.put(n.metrics.activeUsers, { [n.dims.window]: w }, users.length, "Count");
  }
}

/** Operations from accepted tool decisions in the last hour, by category (every category reported, zero included). */
async function putOperations(run: Run, eventsLogGroup: string): Promise<void> {
  const { n, cfg } = run;
  const tool = field(`attributes.${n.attrs.toolName}`);
  const rows = await run.q(
    eventsLogGroup,
    `filter ${field(`attributes.${n.attrs.decision}`)} = "accept" and ispresent(${tool}) | stats count(*) as uses by ${tool} | limit 10000`,
    "1h",
  );
  const byCategory = new Map<string, number>();
  for (const category of new Set([...Object.values(cfg.toolCategories), "other"])) byCategory.set(category, 0);
  for (const r of rows) {
    const category = cfg.toolCategories[r[`attributes.${n.attrs.toolName}`] ?? ""] ?? "other";
    byCategory.set(category, (byCategory.get(category) ?? 0) + Number(r.uses ?? 0));
  }
  for (const [category, uses] of byCategory)
    run.put(n.metrics.operations, { [n.dims.category]: category, [n.dims.window]: "1h" }, uses, "Count");
}

/** Batches of 500 data per PutMetricData call, under the API's per-request limits. */
async function publish(run: Run): Promise<void> {
  for (let i = 0; i < run.data.length; i += 500) {
    await run.deps.cloudwatch.send(new PutMetricDataCommand({ Namespace: run.cfg.namespace, MetricData: run.data.slice(i, i + 500) }));
  }
}

export type { Row };
