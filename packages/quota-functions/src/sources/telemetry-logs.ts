/**
 * Client telemetry read from the collector's EMF log group with CloudWatch Logs Insights: the same
 * `claude_code.token.usage` data points the per-user metric is built from, summed per user, type and
 * model over exactly the window (by the data points' own timestamps).
 *
 * Why not the metric itself: GetMetricData is billed per metric read, and the per-user metric has one
 * series per user, type and model (80 000 for 10 000 users): reading each every 15 minutes would cost
 * far more than scanning the window's logs once per type. Results are capped at 10 000 rows per query;
 * a window that reaches the cap is split in halves until each part fits.
 */
import { GetQueryResultsCommand, StartQueryCommand, StopQueryCommand, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { looksLikeEmail, normaliseEmail } from "../identity.js";
import type { Logger } from "../log.js";
import { windowEnd, windowStart } from "../periods.js";
import type { TokenCounts } from "../pricing.js";
import { TYPE_MAP } from "./telemetry.js";
import { addUsage, type UsageSource, type UserWindowUsage } from "./types.js";

export interface TelemetryLogsOptions {
  readonly logGroupName: string;
  readonly metricName: string;
  readonly userDimension: string;
  readonly typeDimension: string;
  readonly modelDimension?: string;
  /** Smallest slice a window is split into when a query hits the row cap. */
  readonly minSliceMs?: number;
  readonly maxWaitMs?: number;
}

export const ROW_CAP = 10_000;

/** A field reference for Logs Insights: names with dots or dashes need backticks. */
export const fieldRef = (name: string) => (/^[A-Za-z_@][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replace(/`/g, "")}\``);
const literal = (value: string) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

export function tokenQuery(o: TelemetryLogsOptions, type: string): string {
  const by = [fieldRef(o.userDimension), ...(o.modelDimension ? [fieldRef(o.modelDimension)] : [])].join(", ");
  return `filter ispresent(${fieldRef(o.metricName)}) and ${fieldRef(o.typeDimension)} = ${literal(type)} | stats sum(${fieldRef(o.metricName)}) as tokens by ${by} | limit ${ROW_CAP}`;
}

export class TelemetryLogsSource implements UsageSource {
  readonly id = "tel" as const;
  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly o: TelemetryLogsOptions,
    private readonly log: Logger,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  private async query(queryString: string, from: number, to: number): Promise<Array<Record<string, string>>> {
    // StartQuery takes whole seconds and includes its end time: end one second before the next
    // window begins, so no data point is counted in two windows.
    const started = await this.logs.send(
      new StartQueryCommand({
        logGroupName: this.o.logGroupName,
        queryString,
        startTime: Math.floor(from / 1000),
        endTime: Math.floor(to / 1000) - 1,
        limit: ROW_CAP,
      }),
    );
    if (!started.queryId) throw new Error(`Logs Insights returned no query id for ${this.o.logGroupName}`);
    let waited = 0;
    let interval = 250;
    const maxWait = this.o.maxWaitMs ?? 120_000;
    for (;;) {
      const r = await this.logs.send(new GetQueryResultsCommand({ queryId: started.queryId }));
      if (r.status === "Complete")
        return (r.results ?? []).map((row) =>
          Object.fromEntries(row.filter((f) => f.field && !f.field.startsWith("@")).map((f) => [f.field!, f.value ?? ""])),
        );
      if (r.status === "Failed" || r.status === "Cancelled" || r.status === "Timeout")
        throw new Error(`Logs Insights query on ${this.o.logGroupName} ended ${r.status}`);
      if (waited >= maxWait) {
        await this.logs.send(new StopQueryCommand({ queryId: started.queryId })).catch(() => undefined);
        throw new Error(`Logs Insights query on ${this.o.logGroupName} did not finish within ${maxWait} ms`);
      }
      await this.sleep(interval);
      waited += interval;
      interval = Math.min(interval * 2, 2_000);
    }
  }

  /** Rows of `[from, to)`, split in halves while a part reaches the row cap. */
  private async rows(type: string, from: number, to: number): Promise<Array<Record<string, string>>> {
    const rows = await this.query(tokenQuery(this.o, type), from, to);
    if (rows.length < ROW_CAP) return rows;
    const mid = from + Math.floor((to - from) / 2 / 1000) * 1000;
    if (mid <= from || to - from <= (this.o.minSliceMs ?? 60_000))
      throw new Error(`more than ${ROW_CAP} users, types and models in ${(to - from) / 1000} s of telemetry; cannot split further`);
    return [...(await this.rows(type, from, mid)), ...(await this.rows(type, mid, to))];
  }

  async read(window: number): Promise<Map<string, UserWindowUsage>> {
    const out = new Map<string, UserWindowUsage>();
    let rowsRead = 0;
    for (const [type, kind] of Object.entries(TYPE_MAP)) {
      const rows = await this.rows(type, windowStart(window), windowEnd(window));
      rowsRead += rows.length;
      for (const row of rows) {
        const email = row[this.o.userDimension];
        const tokens = Math.round(Number(row.tokens));
        if (!email || !looksLikeEmail(email) || !(tokens > 0)) continue;
        const c: TokenCounts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
        c[kind] = tokens;
        addUsage(out, normaliseEmail(email), (this.o.modelDimension ? row[this.o.modelDimension] : undefined) || "unknown", c);
      }
    }
    this.log.info("telemetry logs read", { window, rows: rowsRead, users: out.size });
    return out;
  }
}
