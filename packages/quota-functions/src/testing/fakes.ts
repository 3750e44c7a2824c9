/** In-memory stand-ins for the parts of an aggregation run that talk to SNS, CloudWatch and IAM. */
import type { AggregateDeps, MetricDatum, Notification } from "../aggregate/run.js";
import type { PolicyDoc } from "../block-policy.js";
import { memoryLogger } from "../log.js";
import type { PricingTable } from "../pricing.js";
import type { UsageSource, UserWindowUsage } from "../sources/types.js";
import type { QuotaStore, SourceId } from "../store.js";

export const PRICING: PricingTable = {
  models: {
    "anthropic.claude-sonnet-4-5-20250929-v1:0": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    "anthropic.claude-opus-4-1-20250805-v1:0": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
    "anthropic.claude-haiku-4-5-20251001-v1:0": { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  },
  families: { sonnet: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
  default: { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
};

/** A source whose windows are set by the test. */
export class ScriptedSource implements UsageSource {
  readonly reads: number[] = [];
  readonly data = new Map<number, Map<string, UserWindowUsage>>();
  failOn?: number;
  /** Unattributable records (renamed sessions) each window holds. */
  readonly unattributedIn = new Map<number, number>();
  private unattributed = 0;
  constructor(readonly id: SourceId) {}
  set(
    window: number,
    users: Record<string, Record<string, Partial<{ input: number; output: number; cacheRead: number; cacheWrite: number }>>>,
    sessions: Record<string, string> = {},
  ): this {
    const m = new Map<string, UserWindowUsage>();
    for (const [email, models] of Object.entries(users)) {
      m.set(email, {
        models: new Map(
          Object.entries(models).map(([model, c]) => [
            model,
            { input: c.input ?? 0, output: c.output ?? 0, cacheRead: c.cacheRead ?? 0, cacheWrite: c.cacheWrite ?? 0 },
          ]),
        ),
        sessions: new Set(sessions[email] ? [sessions[email]!] : []),
      });
    }
    this.data.set(window, m);
    return this;
  }
  async read(window: number): Promise<Map<string, UserWindowUsage>> {
    this.reads.push(window);
    if (this.failOn === window) throw new Error(`source ${this.id} unavailable`);
    this.unattributed += this.unattributedIn.get(window) ?? 0;
    return this.data.get(window) ?? new Map();
  }
  takeUnattributed(): number {
    const n = this.unattributed;
    this.unattributed = 0;
    return n;
  }
}

export interface Harness {
  deps: AggregateDeps;
  sent: Notification[];
  metrics: MetricDatum[][];
  policies: PolicyDoc[][];
  log: ReturnType<typeof memoryLogger>;
  clock: { now: number };
}

export function harness(
  store: QuotaStore,
  sources: UsageSource[],
  over: Partial<AggregateDeps> & { failNotify?: () => boolean; slots?: number } = {},
): Harness {
  const sent: Notification[] = [];
  const metrics: MetricDatum[][] = [];
  const policies: PolicyDoc[][] = [];
  const log = memoryLogger();
  const clock = { now: Date.UTC(2026, 10, 26, 12, 0, 0) };
  const deps: AggregateDeps = {
    store,
    sources,
    pricing: PRICING,
    thresholds: [80, 90, 100],
    enforceOn: "max",
    notify: async (n) => {
      if (over.failNotify?.()) throw new Error("SNS unavailable");
      sent.push(n);
    },
    putMetrics: async (d) => {
      metrics.push([...d]);
    },
    blockPolicies: {
      slots: over.slots ?? 2,
      apply: async (docs) => {
        policies.push([...docs]);
        return [];
      },
    },
    drift: { thresholdPercent: 20, minTokens: 1000 },
    settleMs: 10 * 60_000,
    maxBacklogWindows: 96,
    concurrency: 8,
    usageRetentionDays: 400,
    stage: "test",
    log,
    now: () => clock.now,
    ...over,
  };
  return { deps, sent, metrics, policies, log, clock };
}
