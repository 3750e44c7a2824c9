import {
  SERVICE_QUOTA_METRIC as M,
  matchesQuotaName,
  parseServiceQuotaEnv,
  type ServiceQuotaEnv,
  type ServiceQuotaTarget,
} from "@ccb/contracts";
import { PutMetricDataCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ListAWSDefaultServiceQuotasCommand,
  ListServiceQuotasCommand,
  type ServiceQuota,
  type ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";

/**
 * Publishes the Bedrock quotas the stage's models run against (tokens and requests per minute) as a
 * CloudWatch metric. Bedrock publishes usage (`EstimatedTPMQuotaUsage`, `Invocations`) but not the quota
 * itself, so an alarm at 80 % of the quota needs the quota as a metric beside the usage.
 *
 * The applied value wins (what the account was granted after an increase); the AWS default stands in
 * when the account has no applied value. Quotas are found by code when the stage names one, otherwise by
 * their name in the `bedrock` service's list.
 */

export const SERVICE_CODE = "bedrock";

export interface ResolvedQuota {
  readonly target: ServiceQuotaTarget;
  readonly quotaCode: string;
  readonly value: number;
  readonly source: "applied" | "default";
}

export interface PublishResult {
  readonly published: readonly ResolvedQuota[];
  /** Targets whose quota was not found (no code configured and no quota of that name, or an unknown code). */
  readonly unresolved: readonly ServiceQuotaTarget[];
}

export function configFromEnv(env: NodeJS.ProcessEnv): ServiceQuotaEnv {
  return parseServiceQuotaEnv(env);
}

const isNoSuchResource = (e: unknown) => (e as { name?: string }).name === "NoSuchResourceException";

async function listAll(
  sq: ServiceQuotasClient,
  page: (token?: string) => ListServiceQuotasCommand | ListAWSDefaultServiceQuotasCommand,
): Promise<ServiceQuota[]> {
  const out: ServiceQuota[] = [];
  let token: string | undefined;
  do {
    const res = await sq.send(page(token) as ListServiceQuotasCommand);
    out.push(...(res.Quotas ?? []));
    token = res.NextToken;
  } while (token);
  return out;
}

/** Quota codes for the targets that have none configured, looked up by name (one listing per run). */
async function codesByName(sq: ServiceQuotasClient, targets: readonly ServiceQuotaTarget[]): Promise<Map<ServiceQuotaTarget, string>> {
  const codes = new Map<ServiceQuotaTarget, string>();
  const missing = targets.filter((t) => !t.quotaCode);
  if (missing.length === 0) return codes;
  const find = (list: readonly ServiceQuota[]) => {
    for (const t of missing) {
      if (codes.has(t)) continue;
      const q = list.find((x) => x.QuotaName && matchesQuotaName(x.QuotaName, t));
      if (q?.QuotaCode) codes.set(t, q.QuotaCode);
    }
  };
  find(await listAll(sq, (NextToken) => new ListServiceQuotasCommand({ ServiceCode: SERVICE_CODE, NextToken })));
  // Quotas the account never had applied are listed only among the AWS defaults.
  if (missing.some((t) => !codes.has(t)))
    find(await listAll(sq, (NextToken) => new ListAWSDefaultServiceQuotasCommand({ ServiceCode: SERVICE_CODE, NextToken })));
  return codes;
}

async function quotaValue(sq: ServiceQuotasClient, code: string): Promise<{ value: number; source: "applied" | "default" } | undefined> {
  try {
    const v = (await sq.send(new GetServiceQuotaCommand({ ServiceCode: SERVICE_CODE, QuotaCode: code }))).Quota?.Value;
    if (v !== undefined) return { value: v, source: "applied" };
  } catch (e) {
    if (!isNoSuchResource(e)) throw e;
  }
  try {
    const v = (await sq.send(new GetAWSDefaultServiceQuotaCommand({ ServiceCode: SERVICE_CODE, QuotaCode: code }))).Quota?.Value;
    return v === undefined ? undefined : { value: v, source: "default" };
  } catch (e) {
    if (isNoSuchResource(e)) return undefined;
    throw e;
  }
}

export async function publishQuotas(
  deps: { serviceQuotas: ServiceQuotasClient; cloudwatch: CloudWatchClient; now: () => Date },
  cfg: ServiceQuotaEnv,
): Promise<PublishResult> {
  const byName = await codesByName(deps.serviceQuotas, cfg.targets);
  const published: ResolvedQuota[] = [];
  const unresolved: ServiceQuotaTarget[] = [];
  for (const target of cfg.targets) {
    const quotaCode = target.quotaCode ?? byName.get(target);
    const v = quotaCode ? await quotaValue(deps.serviceQuotas, quotaCode) : undefined;
    if (quotaCode && v) published.push({ target, quotaCode, ...v });
    else unresolved.push(target);
  }
  if (published.length) {
    const timestamp = deps.now();
    await deps.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: cfg.namespace,
        MetricData: published.map((q) => ({
          MetricName: M.name,
          Dimensions: [
            { Name: M.modelDimension, Value: q.target.modelId },
            { Name: M.kindDimension, Value: q.target.kind },
          ],
          Timestamp: timestamp,
          Value: q.value,
          Unit: "Count",
        })),
      }),
    );
  }
  return { published, unresolved };
}
