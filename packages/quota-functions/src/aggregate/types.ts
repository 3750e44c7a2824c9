/** The inputs and the result of one aggregation run, shared by its steps. */
import type { BlockKey, PolicyDoc } from "../block-policy.js";
import type { Mode } from "../limits.js";
import type { Logger } from "../log.js";
import type { PricingTable } from "../pricing.js";
import type { UsageSource } from "../sources/types.js";
import type { QuotaStore } from "../store.js";
import type { EnforceOn } from "../usage.js";

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
