import { serviceQuotaNamespace, type ServiceQuotaKind, type ServiceQuotaScope, type ServiceQuotaTarget } from "@ccb/contracts";
import * as pulumi from "@pulumi/pulumi";
import type { BuilderScope } from "../scope";
import type { FunctionCode } from "./args";
import { buildQuotaAlarms } from "./service-quota-alarms";
import type { QuotaSeries, ServiceQuotaDashboard } from "./service-quota-metrics";
import { buildQuotaPublisher } from "./service-quota-publisher";

export interface ServiceQuotaModel {
  /** The model's role in the stage (`primary`, `fast`): alarm names and labels. */
  readonly role: string;
  /** Bedrock's `ModelId` dimension: the cross-Region profile id the stage calls, or the base id. */
  readonly modelId: string;
  /** The base foundation model id (`anthropic.claude-…`). */
  readonly baseModelId: string;
  /** Quota codes (`L-…`) when known; otherwise the function finds the quotas by name. */
  readonly quotaCodes?: Readonly<Partial<Record<ServiceQuotaKind, string>>>;
}

export interface ServiceQuotaMonitorArgs {
  readonly namePrefix: string;
  readonly models: readonly ServiceQuotaModel[];
  /** The quota family the stage's calls count against. */
  readonly scope: ServiceQuotaScope;
  /** Alarm above this percentage of the quota. @default 80 */
  readonly thresholdPercent?: number;
  readonly topicArn: pulumi.Input<string>;
  readonly code: FunctionCode;
  readonly logRetentionDays: number;
  readonly tags?: Readonly<Record<string, string>>;
  /** Permissions boundary of the role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

const KINDS: readonly ServiceQuotaKind[] = ["tokens", "requests"];
const QUOTA_CODE = /^L-[0-9A-F]{8}$/;

export function validateServiceQuotaMonitorArgs(a: ServiceQuotaMonitorArgs): string[] {
  const p: string[] = [];
  if (a.models.length === 0) p.push("`models` needs at least one model");
  const t = a.thresholdPercent ?? 80;
  if (!(t > 0 && t < 100)) p.push("`thresholdPercent` must be between 0 and 100 (exclusive)");
  const roles = a.models.map((m) => m.role);
  if (new Set(roles).size !== roles.length) p.push("`models` repeats a role");
  a.models.forEach((m, i) => {
    if (!/^[a-z][a-z0-9-]*$/.test(m.role)) p.push(`\`models[${i}].role\` "${m.role}" must be lower-case words joined by dashes`);
    for (const [kind, code] of Object.entries(m.quotaCodes ?? {}))
      if (!QUOTA_CODE.test(code ?? "")) p.push(`\`models[${i}].quotaCodes.${kind}\` "${code}" is not a quota code (L- and 8 hex digits)`);
  });
  return p;
}

/**
 * Bedrock service quotas, the first wall a rollout hits: a function publishes the applied tokens- and
 * requests-per-minute quotas of the stage's models every minute, and one alarm per model and kind fires
 * when usage passes the threshold percentage of the quota. Deploy it in the inference account (Bedrock's
 * metrics and the alarm topic live there).
 */
export class ServiceQuotaMonitor extends pulumi.ComponentResource {
  readonly alarmNames: pulumi.Output<string>[];
  readonly functionName: pulumi.Output<string>;
  /** What the stage dashboard's "Service quotas" section draws. */
  readonly dashboard: ServiceQuotaDashboard;

  constructor(name: string, args: ServiceQuotaMonitorArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:telemetry:ServiceQuotaMonitor", name, {}, opts);
    const problems = validateServiceQuotaMonitorArgs(args);
    if (problems.length) throw new Error(`ServiceQuotaMonitor ${name}: ${problems.join("; ")}`);
    const scope: BuilderScope = { name, parent: this, tags: { ...(args.tags ?? {}), component: "telemetry" } };
    const namespace = serviceQuotaNamespace(args.namePrefix);
    const thresholdPercent = args.thresholdPercent ?? 80;
    const series: QuotaSeries[] = args.models.flatMap((m) => KINDS.map((kind) => ({ modelId: m.modelId, kind, role: m.role })));
    const targets: ServiceQuotaTarget[] = args.models.flatMap((m) =>
      KINDS.map((kind) => ({
        modelId: m.modelId,
        baseModelId: m.baseModelId,
        scope: args.scope,
        kind,
        ...(m.quotaCodes?.[kind] ? { quotaCode: m.quotaCodes[kind] } : {}),
      })),
    );
    this.functionName = buildQuotaPublisher(
      { ...scope, name: `${name}-publisher` },
      { namePrefix: args.namePrefix, namespace, targets, code: args.code, logRetentionDays: args.logRetentionDays, ...boundaryOf(args) },
    );
    this.alarmNames = buildQuotaAlarms(scope, {
      namePrefix: args.namePrefix,
      namespace,
      series,
      thresholdPercent,
      topicArn: args.topicArn,
    });
    this.dashboard = { namespace, series, thresholdPercent };
    this.registerOutputs({ functionName: this.functionName, alarmNames: this.alarmNames });
  }
}

const boundaryOf = (a: ServiceQuotaMonitorArgs) =>
  a.permissionsBoundaryArn !== undefined ? { permissionsBoundaryArn: a.permissionsBoundaryArn } : {};
