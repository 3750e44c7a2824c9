/**
 * The Bedrock service-quota publisher (ServiceQuotaMonitor component ↔ telemetry-functions service-quotas):
 * its environment and the metric it publishes. The alarms and the dashboard divide Bedrock's usage metrics
 * by this metric, so the names live here once.
 */
import { EnvError, jsonVar, requireVar, type Env } from "../env";

export const SERVICE_QUOTA_ENV = { targets: "QUOTA_TARGETS", namespace: "METRIC_NAMESPACE" } as const;

/** Published per model and kind: the applied (or default) quota value, per minute. */
export const SERVICE_QUOTA_METRIC = {
  name: "AppliedQuota",
  modelDimension: "ModelId",
  kindDimension: "Kind",
} as const;

export const SERVICE_QUOTA_KINDS = ["tokens", "requests"] as const;
export type ServiceQuotaKind = (typeof SERVICE_QUOTA_KINDS)[number];

/** Which Bedrock quota family a stage calls: on-demand base models, geography or global cross-Region profiles. */
export const SERVICE_QUOTA_SCOPES = ["on-demand", "cross-region", "global-cross-region"] as const;
export type ServiceQuotaScope = (typeof SERVICE_QUOTA_SCOPES)[number];

/** The namespace of the published quotas, under the stage's own prefix (what PutMetricData is conditioned on). */
export function serviceQuotaNamespace(namePrefix: string): string {
  return `${namePrefix}/ServiceQuotas`;
}

export interface ServiceQuotaTarget {
  /** The `ModelId` dimension Bedrock publishes usage under (the profile id for a cross-Region profile). */
  readonly modelId: string;
  /** The base foundation model id (`anthropic.claude-…`), used to find the quota by name. */
  readonly baseModelId: string;
  readonly scope: ServiceQuotaScope;
  readonly kind: ServiceQuotaKind;
  /** The quota code (`L-…`) when the stage names it; otherwise the function finds it by name. */
  readonly quotaCode?: string;
}

export interface ServiceQuotaEnv {
  readonly targets: readonly ServiceQuotaTarget[];
  readonly namespace: string;
}

/** Reads the publisher's environment; throws naming the missing or malformed variable. */
export function parseServiceQuotaEnv(env: Env): ServiceQuotaEnv {
  const E = SERVICE_QUOTA_ENV;
  const namespace = requireVar(env, E.namespace, "ServiceQuotaMonitor");
  requireVar(env, E.targets, "ServiceQuotaMonitor");
  const targets = jsonVar<ServiceQuotaTarget[]>(env, E.targets);
  if (!Array.isArray(targets) || targets.length === 0)
    throw new EnvError(`environment variable ${E.targets} must be a non-empty JSON array (the ServiceQuotaMonitor component sets it)`);
  for (const t of targets) {
    if (!t.modelId || !t.baseModelId || !SERVICE_QUOTA_KINDS.includes(t.kind) || !SERVICE_QUOTA_SCOPES.includes(t.scope))
      throw new EnvError(`environment variable ${E.targets} has a malformed target: ${JSON.stringify(t)}`);
  }
  return { targets, namespace };
}

/**
 * The model's name as Bedrock's quota names spell it: `anthropic.claude-sonnet-4-5-20250929-v1:0` →
 * `Anthropic Claude Sonnet 4.5`, `anthropic.claude-3-7-sonnet-…` → `Anthropic Claude 3.7 Sonnet`.
 */
export function quotaModelName(baseModelId: string): string {
  const [provider = "", rest = ""] = baseModelId.split(".", 2);
  const words = rest
    .replace(/-v\d+(:\d+)?$/, "")
    .replace(/-\d{8}$/, "")
    .split("-");
  const out: string[] = [];
  for (const w of words) {
    const prev = out[out.length - 1];
    if (/^\d+$/.test(w) && prev !== undefined && /^\d+(\.\d+)*$/.test(prev)) out[out.length - 1] = `${prev}.${w}`;
    else out.push(w);
  }
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return [cap(provider), ...out.map(cap)].join(" ");
}

const SCOPE_WORDS: Readonly<Record<ServiceQuotaScope, string>> = {
  "on-demand": "on-demand model inference",
  "cross-region": "cross-region model inference",
  "global-cross-region": "global cross-region model inference",
};

/**
 * Whether a Bedrock quota name is the target's quota, e.g. "Cross-region model inference tokens per minute for
 * Anthropic Claude Sonnet 4.5 V1" (case, a trailing version and a parenthesised remark are ignored).
 */
export function matchesQuotaName(quotaName: string, t: Pick<ServiceQuotaTarget, "baseModelId" | "scope" | "kind">): boolean {
  const n = quotaName
    .toLowerCase()
    .replace(/\s*\(.*\)\s*$/, "")
    .trim();
  const head = `${SCOPE_WORDS[t.scope]} ${t.kind} per minute for `;
  if (!n.startsWith(head)) return false;
  return n.slice(head.length).replace(/\s+v\d+$/, "") === quotaModelName(t.baseModelId).toLowerCase();
}
