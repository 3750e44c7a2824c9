import * as pulumi from "@pulumi/pulumi";
import { federation, quotas } from "@ccb/infra";
import type { StageContext, StagePart } from "./context";
import type { AnalyticsPart } from "./analytics";
import type { TelemetryPart } from "./telemetry";
import { lambdaCode } from "./lambda-code";
import { claimNamesOf } from "../config/identity-provider";
import type { QuotaConfig } from "../config/quotas";

/** What the quotas area hands to the areas composed after it. */
export interface QuotasPart extends StagePart {
  readonly service: quotas.QuotaService;
}

/** What quotas reads from the areas composed before it. */
export interface QuotasInputs {
  /** The telemetry area, when on: its per-user token metric and the EMF log group it is read from. */
  readonly telemetry: Pick<TelemetryPart, "quotaTelemetrySource" | "metricsLogGroup" | "alarmTopicArn"> | undefined;
  /** The analytics area, when on: the workgroup the daily reconciliation queries. */
  readonly analytics?: Pick<AnalyticsPart, "pipeline"> | undefined;
}

/**
 * Composes the quotas area for a stage; `undefined` when the stage leaves it off.
 *
 * Everything runs in the inference account, where the user role, the invocation logs and the stage key
 * are. Usage is metered from two records: the collector's per-user token metric (from the telemetry
 * area, read across accounts when telemetry has its own account) and Bedrock's invocation logs.
 */
export function composeQuotas(ctx: StageContext, inputs: QuotasInputs): QuotasPart | undefined {
  const cfg = ctx.config.quotas;
  if (!cfg.enabled) return undefined;
  const stage = ctx.config;
  const idp = stage.identityProvider;
  const claims = claimNamesOf(stage);
  const cognito = stage.federation.mode === "cognito-identity-pool";

  // The stage config has decided the sources and the block key and checked that they fit the stage (stacks/config).
  const tel = inputs.telemetry;
  const telemetrySource =
    stage.decisions.quotaSources.telemetry && tel ? { ...tel.quotaTelemetrySource, logGroup: tel.metricsLogGroup } : undefined;
  const logs = stage.decisions.quotaSources.invocationLogs ? ctx.invocationLogs : undefined;
  if (cognito && !telemetrySource) pulumi.log.warn("quotas: Cognito stage without telemetry: usage cannot be metered per user");
  // IAM Identity Center stages attach the deny policies to the permission set (composeIdentityCenter), so no role name there.
  const blockKey = stage.decisions.quotaBlockKey;
  const crossAccount = !stage.decisions.telemetryInInferenceAccount;
  const service = new quotas.QuotaService(
    `${stage.namePrefix}-quotas`,
    {
      namePrefix: stage.namePrefix,
      stage: stage.name,
      kmsKeyArn: ctx.inferenceKeyArn,
      code: {
        aggregate: lambdaCode("quota-functions", "aggregate/handler.ts"),
        check: lambdaCode("quota-functions", "check/handler.ts"),
      },
      defaults: cfg.defaults,
      thresholds: cfg.thresholds,
      enforceOn: cfg.enforceOn,
      mode: cfg.mode,
      pricing: quotas.pricingTable(cfg.pricing),
      // Team users call application inference profiles; their ARN is the model both records report.
      modelAliases: ctx.modelAliases,
      alertEmails: cfg.alertEmails,
      sources: {
        ...(telemetrySource
          ? {
              telemetry: {
                ...telemetrySource,
                ...(crossAccount
                  ? {
                      crossAccount: {
                        provider: ctx.providers.telemetry,
                        accountId: stage.accounts.telemetry.id,
                        ...(stage.organizationId ? { organizationId: stage.organizationId } : {}),
                        permissionsBoundaryArn: ctx.workloadBoundaryArns[stage.accounts.telemetry.id],
                      },
                    }
                  : {}),
              },
            }
          : {}),
        ...(logs
          ? {
              invocationLogs: {
                bucketName: logs.bucketName,
                bucketArn: logs.bucketArn,
                keyPrefix: cfg.sources.invocationLogsKeyPrefix,
                roleName: ctx.userRole.name,
              },
            }
          : {}),
      },
      ...(blockKey === "session-name"
        ? { block: { policyCount: cfg.blockPolicyCount, key: blockKey } }
        : blockKey
          ? { block: { roleName: ctx.userRole.name, policyCount: cfg.blockPolicyCount, key: blockKey } }
          : {}),
      checkApi: {
        authorization: cfg.check.authorization,
        // The authorizer compares `iss` exactly (Auth0's ends with a slash).
        ...(cfg.check.authorization === "jwt" && idp ? { issuerUrl: idp.issuer.iss, audiences: [idp.clientId] } : {}),
        emailClaim: claims.emailClaim,
        groupsClaims: [...new Set([claims.groupsClaim ?? "groups", "cognito:groups"])],
        ...(claims.attributeClaims.department ? { departmentClaim: claims.attributeClaims.department } : {}),
        missingIdentity: cfg.check.missingIdentity,
        ...(stage.federation.identityCenter
          ? { iamRolePrefix: federation.reservedRoleNamePrefix(stage.federation.identityCenter.permissionSetName) }
          : {}),
        throttle: { rateLimit: cfg.check.rateLimit, burstLimit: cfg.check.burstLimit },
        reservedConcurrency: cfg.check.reservedConcurrency,
      },
      drift: cfg.drift,
      alarmTopicArn: ctx.alarmTopicArn,
      logRetentionDays: cfg.logRetentionDays,
      usageRetentionDays: cfg.usageRetentionDays,
      settleMinutes: cfg.settleMinutes,
      aggregationShards: cfg.aggregationShards,
      deletionProtection: cfg.deletionProtection,
      permissionsBoundaryArn: ctx.workloadBoundaryArns[stage.accounts.inference.id],
      ...(rateLimitsOf(cfg.rateLimits, ctx, logs !== undefined) ?? {}),
      ...costFunctionsOf(ctx, inputs),
      tags: { ...ctx.tags, area: "quotas" },
    },
    { providers: { aws: ctx.providers.inference } },
  );

  return {
    service,
    helper: pulumi.output({ quota: { checkUrl: service.checkUrl, failMode: cfg.check.failMode, timeoutMs: cfg.check.timeoutMs } }),
    outputs: {
      quotaCheckUrl: service.checkUrl,
      quotaLimitsTable: service.limitsTable.name,
      quotaUsageTable: service.usageTable.name,
      quotaAlertTopicArn: service.topic.arn,
      quotaAggregateFunction: service.aggregateFunction.name,
      ...(service.reconcileFunction ? { quotaReconcileFunction: service.reconcileFunction.name } : {}),
      quotaMode: cfg.mode,
      // For `npm run quota -- --outputs <file>`: the default limit is stage config, not a table record.
      quotaDefaultLimits: cfg.defaults,
    },
  };
}

/** The rate limiter's args when the stage enables it and invocation logs name the developer of each call. */
function rateLimitsOf(
  rl: QuotaConfig["rateLimits"],
  ctx: StageContext,
  logsUsable: boolean,
): { rateLimits: quotas.RateLimitArgs } | undefined {
  if (!rl.enabled) return undefined;
  if (!logsUsable || !ctx.invocationLogs) {
    pulumi.log.warn(
      "quotas.rateLimits: off in this stage: the invocation-log group is absent or cannot name the developer of a call (Cognito identity pool sessions)",
    );
    return undefined;
  }
  return {
    rateLimits: {
      code: lambdaCode("quota-functions", "rate/handler.ts"),
      ...(rl.tokensPerMinute !== undefined ? { tokensPerMinute: rl.tokensPerMinute } : {}),
      ...(rl.requestsPerMinute !== undefined ? { requestsPerMinute: rl.requestsPerMinute } : {}),
      cooldownMinutes: rl.cooldownMinutes,
      policyCount: rl.policyCount,
      logGroup: { name: ctx.invocationLogs.logGroupName, arn: ctx.invocationLogs.logGroupArn },
      roleName: ctx.userRole.name,
    },
  };
}

/**
 * The Price List reader and the daily reconciliation, as the stage config decided them. The
 * reconciliation runs in the analytics workgroup's account: in a multi-account stage the telemetry
 * account, with the analytics key for its logs and the telemetry area's alarm topic there.
 */
function costFunctionsOf(ctx: StageContext, inputs: QuotasInputs): Pick<quotas.QuotaServiceArgs, "priceSource" | "reconciliation"> {
  const stage = ctx.config;
  const { analytics, telemetry } = inputs;
  const telemetryAccount = stage.accounts.telemetry.id;
  const elsewhere = !stage.decisions.telemetryInInferenceAccount;
  const { primary, fast, opus, crossRegion } = stage.models;
  const models = [...new Set([primary, fast, ...(opus ? [opus] : [])])].map((id) => ({
    id,
    prefixes: crossRegion === "none" ? [] : [crossRegion],
  }));
  const rec = stage.analytics.billing.reconciliation;
  return {
    ...(stage.decisions.priceSource
      ? {
          priceSource: {
            code: lambdaCode("quota-functions", "prices/handler.ts"),
            region: stage.region,
            models,
            schedule: stage.quotas.priceSource.schedule,
            // The analytics pricing table is rewritten from the same book (the pipeline grants the bucket side).
            ...(analytics
              ? {
                  analyticsPricing: {
                    bucketName: analytics.pipeline.referenceBucketName,
                    bucketArn: analytics.pipeline.referenceBucketArn,
                    keyArn: analytics.pipeline.keyArn,
                    region: stage.region,
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(stage.decisions.reconciliation && analytics && (!elsewhere || telemetry?.alarmTopicArn)
      ? {
          reconciliation: {
            code: lambdaCode("quota-functions", "reconcile/handler.ts"),
            workgroupName: analytics.pipeline.workgroupName,
            thresholdPercent: rec.thresholdPercent,
            minUsd: rec.minUsd,
            schedule: rec.schedule,
            ...(elsewhere && telemetry?.alarmTopicArn
              ? {
                  account: {
                    provider: ctx.providers.telemetry,
                    accountId: telemetryAccount,
                    alarmTopicArn: telemetry.alarmTopicArn,
                    logKeyArn: analytics.pipeline.keyArn,
                    permissionsBoundaryArn: ctx.workloadBoundaryArns[telemetryAccount],
                  },
                }
              : {}),
          },
        }
      : {}),
  };
}
