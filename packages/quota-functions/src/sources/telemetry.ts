/**
 * Client telemetry: Claude Code's `claude_code.token.usage` counter (delta temporality), exported by
 * the stage's collector to CloudWatch metrics with the user's email as a dimension (the collector takes
 * it from the validated id_token, not from a client header). Each window sums the metric over exactly
 * that 15-minute period (`Sum` with period 900, aligned start), never `increase()`-style rates, which
 * read ~0 on delta counters (the reference's bug #754).
 *
 * Only metrics whose dimension set is exactly {user, type[, model]} are read: an EMF exporter that also
 * publishes roll-ups (e.g. {user}) would otherwise be counted twice.
 */
import type { QuotaTelemetrySource } from "@ccb/contracts";
import { GetMetricDataCommand, ListMetricsCommand, type CloudWatchClient, type Metric } from "@aws-sdk/client-cloudwatch";
import { looksLikeEmail, normaliseEmail } from "../identity.js";
import type { Logger } from "../log.js";
import { windowEnd, windowStart, WINDOW_MS } from "../periods.js";
import type { TokenCounts } from "../pricing.js";
import { addUsage, type UsageSource, type UserWindowUsage } from "./types.js";

/**
 * Where the per-user token metric is: the `TELEMETRY_SOURCE` shape of the contract (@ccb/contracts) — the
 * namespace or the collector's EMF log group (read with Logs Insights, see telemetry-logs.ts), the metric and
 * its user, type and optional model dimensions (without a model, cost uses the pricing table's default
 * price), and the role to assume in the telemetry account when the metrics live there.
 */
export type TelemetrySourceOptions = QuotaTelemetrySource;

/** Claude Code's `type` attribute → our token kinds. `cacheCreation` is cache *write* (priced, not dropped). */
export const TYPE_MAP: Readonly<Record<string, keyof TokenCounts>> = {
  input: "input",
  output: "output",
  cacheRead: "cacheRead",
  cacheCreation: "cacheWrite",
};

export class TelemetrySource implements UsageSource {
  readonly id = "tel" as const;
  constructor(
    private readonly cw: CloudWatchClient,
    private readonly o: TelemetrySourceOptions,
    private readonly log: Logger,
  ) {}

  private wanted(m: Metric): boolean {
    const names = (m.Dimensions ?? []).map((d) => d.Name).sort();
    const expected = [this.o.userDimension, this.o.typeDimension, ...(this.o.modelDimension ? [this.o.modelDimension] : [])].sort();
    return names.length === expected.length && names.every((n, i) => n === expected[i]);
  }

  async read(window: number): Promise<Map<string, UserWindowUsage>> {
    const metrics: Metric[] = [];
    let token: string | undefined;
    do {
      const page = await this.cw.send(
        new ListMetricsCommand({ Namespace: this.o.namespace, MetricName: this.o.metricName, RecentlyActive: "PT3H", NextToken: token }),
      );
      metrics.push(...(page.Metrics ?? []).filter((m) => this.wanted(m)));
      token = page.NextToken;
    } while (token);
    const out = new Map<string, UserWindowUsage>();
    const dim = (m: Metric, name: string | undefined) => (name ? m.Dimensions?.find((d) => d.Name === name)?.Value : undefined);
    let unknownType = 0;
    for (let i = 0; i < metrics.length; i += 500) {
      const batch = metrics.slice(i, i + 500);
      let next: string | undefined;
      const sums = new Map<string, number>();
      do {
        const r = await this.cw.send(
          new GetMetricDataCommand({
            StartTime: new Date(windowStart(window)),
            EndTime: new Date(windowEnd(window)),
            MetricDataQueries: batch.map((m, j) => ({
              Id: `m${j}`,
              MetricStat: { Metric: m, Period: WINDOW_MS / 1000, Stat: "Sum" },
              ReturnData: true,
            })),
            NextToken: next,
          }),
        );
        for (const res of r.MetricDataResults ?? [])
          sums.set(res.Id!, (sums.get(res.Id!) ?? 0) + (res.Values ?? []).reduce((a, b) => a + b, 0));
        next = r.NextToken;
      } while (next);
      batch.forEach((m, j) => {
        const value = sums.get(`m${j}`) ?? 0;
        if (value <= 0) return;
        const email = dim(m, this.o.userDimension);
        const kind = TYPE_MAP[dim(m, this.o.typeDimension) ?? ""];
        if (!email || !looksLikeEmail(email)) return;
        if (!kind) {
          unknownType++;
          return;
        }
        const c: TokenCounts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
        c[kind] = Math.round(value);
        addUsage(out, normaliseEmail(email), dim(m, this.o.modelDimension) ?? "unknown", c);
      });
    }
    this.log.info("telemetry read", { window, metrics: metrics.length, users: out.size, unknownType });
    return out;
  }
}
