import type * as pulumi from "@pulumi/pulumi";
import type { PricingTable } from "./pricing";

export type QuotaMode = "alert" | "block";
export type EnforceOn = "max" | "telemetry" | "invocation-logs";

/** Bundled Lambda code (from `stacks/compose/lambda-code.ts`). */
export interface FunctionCode {
  readonly archive: pulumi.asset.Archive;
  readonly handler: string;
}

export interface DefaultLimits {
  readonly monthlyTokens?: number;
  readonly dailyTokens?: number;
  readonly monthlyCostUsd?: number;
  readonly dailyCostUsd?: number;
  readonly monthlyMode: QuotaMode;
  readonly dailyMode: QuotaMode;
}

export interface TelemetryMetricSource {
  readonly namespace: string;
  readonly metricName: string;
  readonly userDimension: string;
  readonly typeDimension: string;
  readonly modelDimension?: string;
  /**
   * The collector's EMF log group: when given, the aggregation sums the data points with Logs Insights
   * (a scan of the window per token type) instead of reading one metric series per user, type and
   * model with GetMetricData, which is billed per series (about 80 000 reads per run for 10 000 users).
   */
  readonly logGroup?: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /**
   * When the collector's metrics live in another account (telemetry account): a read-only role is
   * created there with this provider, trusted by the aggregation role only, and assumed per run.
   */
  readonly crossAccount?: {
    readonly provider: pulumi.ProviderResource;
    readonly accountId: string;
    readonly organizationId?: string;
    /** Permissions boundary of the read-only role there (that account's workload boundary). */
    readonly permissionsBoundaryArn?: pulumi.Input<string>;
  };
}

export interface InvocationLogsSource {
  readonly bucketName: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  /** Key prefix of the logging configuration's S3 destination (`""` when none). */
  readonly keyPrefix: string;
  /**
   * Only calls through this role count (the federated developer role). A name ending in `*` is a prefix:
   * `AWSReservedSSO_<permission set>_*` for the role IAM Identity Center provisions.
   */
  readonly roleName: pulumi.Input<string>;
}

export interface QuotaServiceArgs {
  readonly namePrefix: string;
  readonly stage: string;
  /** Customer managed key for tables, topic and log groups (and the invocation-log bucket, if it uses it). */
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly code: { readonly aggregate: FunctionCode; readonly check: FunctionCode };
  /** The limit everyone without a user or group record gets (passed to the Lambdas, not stored). */
  readonly defaults: DefaultLimits;
  /** Alert thresholds in percent, ascending. */
  readonly thresholds: readonly number[];
  readonly enforceOn: EnforceOn;
  readonly pricing: PricingTable;
  /**
   * Application inference profiles priced as their base model: invocation logs and Claude Code report
   * the profile ARN as the model for team users, which no catalog lists.
   */
  readonly modelAliases?: ReadonlyArray<{ readonly id: pulumi.Input<string>; readonly baseModelId: string }>;
  /** Who receives quota alerts (each confirms the SNS subscription once). */
  readonly alertEmails: readonly string[];
  readonly sources: { readonly telemetry?: TelemetryMetricSource; readonly invocationLogs?: InvocationLogsSource };
  /**
   * Server-side block: deny policies attached to the user role, rewritten by the aggregation.
   * `key` is how a blocked user's sessions are recognised: the role session name (`aws:userid`,
   * direct federation) or a principal tag carrying the email (Cognito identity pools).
   */
  readonly block?: {
    /** Role the deny policies are attached to; absent when the caller attaches them itself (an IdC permission set references them by name). */
    readonly roleName?: pulumi.Input<string>;
    readonly policyCount: number;
    readonly key: "session-name" | { readonly principalTag: string };
  };
  readonly checkApi: {
    readonly authorization: "jwt" | "iam";
    /** JWT: the stage's issuer URL exactly as in the token's `iss`. */
    readonly issuerUrl?: string;
    /** JWT: the helper's client id(s). */
    readonly audiences?: readonly string[];
    readonly emailClaim: string;
    readonly groupsClaims: readonly string[];
    readonly departmentClaim?: string;
    /** A token without an email claim: refuse (`block`) or let through unmetered (`allow`). */
    readonly missingIdentity: "allow" | "block";
    /** IAM: only sessions of roles with this name prefix (the IdC permission set's `AWSReservedSSO_<set>_`) are users. */
    readonly iamRolePrefix?: string;
    readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
    readonly reservedConcurrency: number;
  };
  /**
   * Per-developer rate limits: a subscription on the invocation-log group feeds a function that counts
   * tokens and calls per user and minute and denies a user past a limit for a cool-down (with `block`:
   * keyed like the budget block, on policies of its own; without it the cool-down only alerts).
   */
  readonly rateLimits?: RateLimitArgs;
  readonly drift: { readonly thresholdPercent: number; readonly minTokens: number };
  /**
   * Prices from the AWS Price List on a schedule (daily): a function stores a price book the
   * aggregation prefers over `pricing` (which stays the fallback); an alarm fires when a model in
   * `models` has no list price in `region`.
   */
  readonly priceSource?: PriceSourceArgs;
  /**
   * The daily reconciliation of estimate and bill (the reconciliation named queries in the analytics
   * workgroup): it publishes the largest settled drift, and an alarm fires beyond `thresholdPercent`.
   * The composition grants its role the analytics `runQueries` and billing `readBilledCost` grants.
   */
  readonly reconciliation?: ReconciliationArgs;
  /** `stage.quotas.mode`; it caps every limit record (an alert stage never refuses). Absent: block. */
  readonly mode?: "alert" | "block";
  /** Alarms (drift, aggregation failures, stale aggregation, block overflow, API errors) go here. */
  readonly alarmTopicArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /**
   * User-hash shards of one aggregation run (1–64, default 1: one function covers every user). Above 1
   * the scheduled function dispatches a worker function once per shard and waits for all of them.
   */
  readonly aggregationShards?: number;
  readonly usageRetentionDays: number;
  readonly settleMinutes: number;
  readonly deletionProtection: boolean;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface RateLimitArgs {
  readonly code: FunctionCode;
  /** The stage default; user and group records (`quota set … --tpm --rpm`) override it. */
  readonly tokensPerMinute?: number;
  readonly requestsPerMinute?: number;
  readonly cooldownMinutes: number;
  /** Bedrock's invocation-log group (CloudWatch Logs destination of the logging configuration). */
  readonly logGroup: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** Only calls through this role count (the federated developer role). */
  readonly roleName: pulumi.Input<string>;
  /** Deny policies for users cooling down (each holds a few hundred users); none without `block`. */
  readonly policyCount: number;
}

export interface PriceSourceArgs {
  readonly code: FunctionCode;
  /** The Region whose Bedrock list prices apply (the stage's inference Region). */
  readonly region: string;
  /** The models the stage uses, with the cross-Region profile prefixes it may call them through. */
  readonly models: ReadonlyArray<{ readonly id: string; readonly prefixes: readonly string[] }>;
  /** EventBridge schedule expression, e.g. `rate(1 day)`. */
  readonly schedule: string;
  /**
   * The analytics reference bucket, when the stage has analytics: each run also rewrites the pricing
   * table's CSV there from the same book (the pipeline's `priceWriter` grants the other side).
   */
  readonly analyticsPricing?: {
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    readonly keyArn: pulumi.Input<string>;
    /** The bucket's Region (the stage's): the key is used through S3 there only. */
    readonly region: string;
  };
}

export interface ReconciliationArgs {
  readonly code: FunctionCode;
  readonly workgroupName: pulumi.Input<string>;
  /** |drift| in percent of a settled developer or team day that raises the billed-drift alarm. */
  readonly thresholdPercent: number;
  /** Days whose estimate and bill are both below this many USD are not compared. */
  readonly minUsd: number;
  readonly schedule: string;
  /**
   * The workgroup's account when it is not this component's (prod: analytics in the telemetry account).
   * A Lambda can only start Athena queries in its own account, so the function, its schedule, log group
   * and the billed-drift alarm are created there with this provider; the alarm notifies that account's topic.
   */
  readonly account?: ReconciliationAccount;
}

export interface ReconciliationAccount {
  readonly provider: pulumi.ProviderResource;
  readonly accountId: string;
  /** An SNS topic in that account that the account's CloudWatch alarms may publish to. */
  readonly alarmTopicArn: pulumi.Input<string>;
  /** A key in that account that CloudWatch Logs may use for the function's log group (the analytics key). */
  readonly logKeyArn: pulumi.Input<string>;
  /** That account's workload boundary. */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}
