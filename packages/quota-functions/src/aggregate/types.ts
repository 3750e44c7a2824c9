/** The inputs and the result of one aggregation run, shared by its steps. */
import type { BlockKey, PolicyDoc } from "../block-policy.js";
import type { Mode } from "../limits.js";
import type { Logger } from "../log.js";
import type { PricingTable } from "../pricing.js";
import type { UsageSource } from "../sources/types.js";
import type { QuotaStore, SourceId } from "../store.js";
import type { EnforceOn } from "../usage.js";
import type { ShardSpec } from "./shard.js";

export interface Notification {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface MetricDatum {
  readonly name: string;
  readonly value: number;
  readonly unit: "Count" | "None";
}

export interface AggregateDeps {
  readonly store: QuotaStore;
  readonly sources: readonly UsageSource[];
  readonly pricing: PricingTable;
  /** Ascending percentages, e.g. [80, 90, 100]. */
  readonly thresholds: readonly number[];
  readonly enforceOn: EnforceOn;
  /** The stage's `quotas.mode`: an alert stage never blocks (no deny entries, alert texts). Absent: block. */
  readonly stageMode?: Mode;
  readonly notify: (n: Notification) => Promise<void>;
  readonly putMetrics: (data: readonly MetricDatum[]) => Promise<void>;
  /** Server-side block; absent when the stage does not block at the IAM layer. */
  readonly blockPolicies?: {
    readonly slots: number;
    readonly key?: BlockKey;
    readonly apply: (docs: readonly PolicyDoc[]) => Promise<string[]>;
  };
  readonly drift: { readonly thresholdPercent: number; readonly minTokens: number };
  /** How long after a window's end its data is complete enough to read. */
  readonly settleMs: number;
  /** At most this many windows per source per run; older gaps are skipped with an error log. */
  readonly maxBacklogWindows: number;
  readonly concurrency: number;
  readonly usageRetentionDays: number;
  readonly stage: string;
  readonly log: Logger;
  readonly now: () => number;
  /**
   * How long this run can live (the Lambda's remaining time plus a margin): the leases of its user
   * buckets last that long. Absent: 15 minutes.
   */
  readonly leaseMs?: number;
  /** This run covers one shard of the users (a worker invoked by the dispatcher); absent: everyone. */
  readonly shard?: ShardSpec;
}

export interface AggregateSummary {
  readonly windows: Record<string, number[]>;
  readonly applied: number;
  readonly duplicates: number;
  readonly users: number;
  readonly alertsSent: number;
  readonly blocked: string[];
  readonly blockOverflow: string[];
  readonly driftUsers: number;
  readonly unpricedTokens: number;
  /** Invocation-log records of the user role whose session name is not an email (renamed sessions). */
  readonly unattributedInvocations: number;
  /** Users the invocation logs attributed usage to in this run who never asked the check API (no profile). */
  readonly unknownSessionUsers: number;
  readonly sourceErrors: string[];
}

/**
 * What one run over some of the users (one shard, or all of them) found, before the deny policies are
 * written and the metrics published. Plain JSON: a shard worker returns it to the dispatcher.
 */
export interface ShardResult {
  readonly shard: ShardSpec;
  readonly windows: Record<string, number[]>;
  /** The shard's watermark per source after the run (the dispatcher keeps the unsharded one at the slowest). */
  readonly watermarks: Partial<Record<SourceId, number>>;
  readonly applied: number;
  readonly duplicates: number;
  readonly users: number;
  readonly alertsSent: number;
  readonly blocked: string[];
  /** The deny entries of the blocked users (session names, or emails when a principal tag is matched). */
  readonly blockEntries: string[];
  readonly driftUsers: number;
  readonly tokens: { readonly driftTokens: number; readonly telTokens: number; readonly srvTokens: number };
  readonly unpricedTokens: number;
  readonly unattributedInvocations: number;
  readonly unknownSessionUsers: number;
  readonly sourceErrors: string[];
  readonly timings: Record<string, number>;
}
