/**
 * The one source of truth for telemetry names: what Claude Code emits, which attributes the
 * collector sets from the validated token, which dimension sets become CloudWatch metrics, and what
 * the aggregation Lambda publishes. The collector config, the dashboard body, the aggregation
 * Lambda's environment and the tests all read these constants, so a name cannot drift between them.
 */

/** Claude Code's OpenTelemetry metrics (counters, delta temporality by default). */
export const CC = {
  sessions: "claude_code.session.count",
  linesOfCode: "claude_code.lines_of_code.count",
  pullRequests: "claude_code.pull_request.count",
  commits: "claude_code.commit.count",
  cost: "claude_code.cost.usage",
  tokens: "claude_code.token.usage",
  editDecisions: "claude_code.code_edit_tool.decision",
  activeTime: "claude_code.active_time.total",
} as const;
export type ClaudeCodeMetric = (typeof CC)[keyof typeof CC];
export const CLAUDE_CODE_METRICS: readonly ClaudeCodeMetric[] = Object.values(CC);

/** Values Claude Code puts in the `type` attribute of `claude_code.token.usage`. */
export const TOKEN_TYPES = ["input", "output", "cacheRead", "cacheCreation"] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
/** `type` of `claude_code.lines_of_code.count`. */
export const LINE_TYPES = ["added", "removed"] as const;
/** `type` of `claude_code.active_time.total`. */
export const ACTIVE_TIME_TYPES = ["user", "cli"] as const;
/** `decision` of `claude_code.code_edit_tool.decision`. */
export const EDIT_DECISIONS = ["accept", "reject"] as const;

/** Claude Code events (OTLP logs) the collector keeps. */
export const CC_EVENTS = {
  toolDecision: "claude_code.tool_decision",
  toolResult: "claude_code.tool_result",
  apiRequest: "claude_code.api_request",
  apiError: "claude_code.api_error",
} as const;

/**
 * Attribute keys the collector writes on every data point and event, from the validated token.
 * These are the names dimensions, Logs Insights queries and the analytics pipeline use.
 */
export const ATTR = {
  email: "user.email",
  department: "department",
  team: "team",
  costCenter: "cost_center",
  model: "model",
  type: "type",
  decision: "decision",
  toolName: "tool_name",
  language: "language",
} as const;

/** Identity attributes: always set by the collector, never taken from the client. */
export const IDENTITY_ATTRIBUTES = [ATTR.email, ATTR.department, ATTR.team, ATTR.costCenter] as const;
/** Value written when the IdP does not send an organisational claim (dimensions must be present). */
export const UNSPECIFIED = "unspecified";

/**
 * Client-sent keys that could impersonate identity (Claude Code copies `OTEL_RESOURCE_ATTRIBUTES`
 * onto data points, and the reference helper sends `x-user-email`-style names). The collector
 * deletes all of them, on resources and data points, before it writes the validated values.
 */
export const SPOOFABLE_ATTRIBUTES = [
  ...IDENTITY_ATTRIBUTES,
  "user.id",
  "user.name",
  "user.account_uuid",
  "user.account_id",
  "organization.id",
  "team.id",
  "x-user-email",
  "x-department",
  "x-team",
  "x-team-id",
  "x-cost-center",
] as const;

/** A set of dimensions a metric is published with. Empty = the metric's total. */
export type DimensionSet = readonly string[];

/** A CloudWatch metric the collector produces through EMF. */
export interface EmfMetricDeclaration {
  readonly metric: ClaudeCodeMetric;
  readonly dimensionSets: readonly DimensionSet[];
  /** Unit CloudWatch shows (Claude Code's units mapped to CloudWatch units). */
  readonly unit: "Count" | "None" | "Seconds";
}

/**
 * Dimension sets, chosen for the dashboard and bounded: per-user dimensions only where a per-user
 * widget needs them, never `session.id`, `user.id` or `app.version` (each distinct combination is a
 * billable custom metric). Per-user views beyond these (leaderboards, savings) are computed by the
 * aggregation Lambda from the EMF log records, which keep every attribute.
 */
export const EMF_METRICS: readonly EmfMetricDeclaration[] = [
  // {user, type, model}: the per-user series quotas meter (cost needs the model) and the "top users" widget reads.
  {
    metric: CC.tokens,
    unit: "Count",
    dimensionSets: [
      [ATTR.type],
      [ATTR.type, ATTR.model],
      [ATTR.type, ATTR.department],
      [ATTR.type, ATTR.team],
      [ATTR.type, ATTR.email, ATTR.model],
    ],
  },
  { metric: CC.cost, unit: "None", dimensionSets: [[], [ATTR.model], [ATTR.department], [ATTR.team], [ATTR.costCenter]] },
  { metric: CC.linesOfCode, unit: "Count", dimensionSets: [[ATTR.type], [ATTR.type, ATTR.department]] },
  { metric: CC.sessions, unit: "Count", dimensionSets: [[], [ATTR.department]] },
  { metric: CC.activeTime, unit: "Seconds", dimensionSets: [[ATTR.type]] },
  {
    metric: CC.editDecisions,
    unit: "Count",
    dimensionSets: [[ATTR.decision], [ATTR.toolName, ATTR.decision], [ATTR.language, ATTR.decision]],
  },
  { metric: CC.commits, unit: "Count", dimensionSets: [[]] },
  { metric: CC.pullRequests, unit: "Count", dimensionSets: [[]] },
];

/** Metrics the aggregation Lambda publishes (aggregations CloudWatch cannot do). */
export const AGG = {
  activeUsers: "ActiveUsers",
  leaderboard: "Leaderboard",
  operations: "Operations",
  cacheSavings: "CacheSavingsUSD",
  estimatedCost: "EstimatedCostUSD",
  negativeSavingsUsers: "NegativeCacheSavingsUsers",
} as const;

/** Dimension names of the aggregate metrics. */
export const AGG_DIM = { window: "Window", board: "Board", category: "Category", email: ATTR.email, model: ATTR.model } as const;
/** Rolling windows for active users and leaderboards. */
export const WINDOWS = ["1h", "1d", "7d"] as const;
export type Window = (typeof WINDOWS)[number];
/** Leaderboards the Lambda keeps (top N users by each). */
export const BOARDS = ["tokens", "cost", "lines", "session-time", "cache-savings"] as const;
export type Board = (typeof BOARDS)[number];
/** Operation categories derived from Claude Code's tool decisions. */
export const OPERATION_CATEGORIES = ["edit", "search", "read", "docs-web", "execute", "plan", "other"] as const;
export type OperationCategory = (typeof OPERATION_CATEGORIES)[number];

/** Which tool names count as which operation (tools not listed are `other`; MCP tools are `mcp_tool`). */
export const TOOL_CATEGORIES: Readonly<Record<string, OperationCategory>> = {
  Edit: "edit",
  MultiEdit: "edit",
  Write: "edit",
  NotebookEdit: "edit",
  Grep: "search",
  Glob: "search",
  LS: "search",
  Read: "read",
  NotebookRead: "read",
  WebFetch: "docs-web",
  WebSearch: "docs-web",
  Bash: "execute",
  BashOutput: "execute",
  KillShell: "execute",
  Task: "plan",
  TodoWrite: "plan",
  ExitPlanMode: "plan",
};

/** Aggregate metrics with their dimension sets (what the dashboard may reference). */
export const AGG_METRICS: readonly { readonly metric: string; readonly dimensionSets: readonly DimensionSet[]; readonly unit: string }[] = [
  { metric: AGG.activeUsers, unit: "Count", dimensionSets: [[AGG_DIM.window]] },
  { metric: AGG.leaderboard, unit: "None", dimensionSets: [[AGG_DIM.board, AGG_DIM.window, AGG_DIM.email]] },
  { metric: AGG.operations, unit: "Count", dimensionSets: [[AGG_DIM.category, AGG_DIM.window]] },
  { metric: AGG.cacheSavings, unit: "None", dimensionSets: [[AGG_DIM.window], [AGG_DIM.model, AGG_DIM.window]] },
  { metric: AGG.estimatedCost, unit: "None", dimensionSets: [[AGG_DIM.window], [AGG_DIM.model, AGG_DIM.window]] },
  { metric: AGG.negativeSavingsUsers, unit: "Count", dimensionSets: [[AGG_DIM.window]] },
];

/** Namespaces, by stage name prefix: `ClaudeCode/<prefix>` and `ClaudeCode/<prefix>/Aggregates`. */
export function namespaces(namePrefix: string): { readonly collector: string; readonly aggregates: string } {
  if (!/^[A-Za-z0-9_./#:-]{1,200}$/.test(namePrefix))
    throw new Error(`name prefix "${namePrefix}" cannot be part of a CloudWatch namespace`);
  return { collector: `ClaudeCode/${namePrefix}`, aggregates: `ClaudeCode/${namePrefix}/Aggregates` };
}

/** Bedrock's own metrics (namespace `AWS/Bedrock`, dimension `ModelId`). */
export const BEDROCK = {
  namespace: "AWS/Bedrock",
  dimension: "ModelId",
  invocations: "Invocations",
  throttles: "InvocationThrottles",
  clientErrors: "InvocationClientErrors",
  serverErrors: "InvocationServerErrors",
  latency: "InvocationLatency",
} as const;

/**
 * The per-user token series other areas read (quotas meter it): exactly the dimension set
 * {user, type, model} of `claude_code.token.usage` in the collector namespace.
 */
export const PER_USER_TOKENS = {
  metricName: CC.tokens,
  userDimension: ATTR.email,
  typeDimension: ATTR.type,
  modelDimension: ATTR.model,
} as const;
