import * as pulumi from "@pulumi/pulumi";
import type { ServiceQuotaScope } from "@ccb/contracts";
import { inference, telemetry } from "@ccb/infra";
import type { StageConfig } from "../config/stage-config";
import { QUOTA_MODEL_ROLES } from "../config/service-quotas";
import type { StageContext } from "./context";
import { lambdaCode } from "./lambda-code";

/** What the Bedrock quota alarms hand on: their names (the dashboard and `verify`) and the dashboard section. */
export interface ServiceQuotaPart {
  readonly alarmNames: readonly pulumi.Output<string>[];
  readonly dashboard: telemetry.ServiceQuotaDashboard;
}

/** The quota family the stage's calls count against, from the cross-Region choice. */
export function quotaScope(crossRegion: StageConfig["models"]["crossRegion"]): ServiceQuotaScope {
  if (crossRegion === "none") return "on-demand";
  return crossRegion === "global" ? "global-cross-region" : "cross-region";
}

type QuotaContext = Pick<StageContext, "config" | "providers" | "tags" | "workloadBoundaryArns" | "alarmTopicArn">;

/**
 * Composes `stage.inference.serviceQuotaAlarms` in the inference account, where Bedrock publishes usage
 * and the alarm topic lives; `undefined` when the stage turns it off.
 */
export function composeServiceQuotas(ctx: QuotaContext): ServiceQuotaPart | undefined {
  const { config } = ctx;
  const cfg = config.inference.serviceQuotaAlarms;
  if (!cfg.enabled) return undefined;
  const monitor = new telemetry.ServiceQuotaMonitor(
    `${config.namePrefix}-service-quotas`,
    {
      namePrefix: config.namePrefix,
      scope: quotaScope(config.models.crossRegion),
      models: QUOTA_MODEL_ROLES.map((role) => ({
        role,
        baseModelId: config.models[role],
        modelId: inference.profileId(config.models[role], config.models.crossRegion),
        ...(cfg.quotaCodes[role] ? { quotaCodes: cfg.quotaCodes[role] } : {}),
      })),
      thresholdPercent: cfg.thresholdPercent,
      topicArn: ctx.alarmTopicArn,
      code: lambdaCode("telemetry-functions", "service-quotas/handler.ts"),
      logRetentionDays: config.inference.invocationLogging.logRetentionDays,
      permissionsBoundaryArn: ctx.workloadBoundaryArns[config.accounts.inference.id],
      tags: { ...ctx.tags, area: "inference" },
    },
    { providers: { aws: ctx.providers.inference } },
  );
  return { alarmNames: monitor.alarmNames, dashboard: monitor.dashboard };
}
