import * as pulumi from "@pulumi/pulumi";
import type { StageSettings } from "@ccb/contracts";
import type { StageConfig } from "./config/stage-config";
import { composeAnalytics } from "./compose/analytics";
import { composeBilling } from "./compose/billing";
import { composeCicd, composeWorkloadBoundaries } from "./compose/cicd";
import type { StageContext, StagePart } from "./compose/context";
import { composeDistribution } from "./compose/distribution";
import { composeFederation } from "./compose/federation";
import { composeHelperSettings } from "./compose/helper-settings";
import { composeIdentityCenter } from "./compose/identity-center";
import { composeInference } from "./compose/inference";
import { later } from "./compose/later";
import { composeProviders, stageTags } from "./compose/providers";
import { composeQuotas } from "./compose/quotas";
import { composeServiceQuotas } from "./compose/service-quotas";
import { composeTelemetry } from "./compose/telemetry";
import { composeTokenEndpoint } from "./compose/token-endpoint";

/** Stack outputs of a stage. */
export interface StageOutputs {
  /** Everything the credential helper needs (validated against the stage-settings schema). */
  readonly helperSettings: pulumi.Output<StageSettings>;
  readonly userRoleArn: pulumi.Output<string>;
  /** Absent in an IAM Identity Center stage without a corporate IdP. */
  readonly oidcProviderArn?: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly teamInferenceProfiles: Readonly<Record<string, Readonly<Partial<Record<string, pulumi.Output<string>>>>>>;
  readonly crossAccountRoleArns: Record<string, pulumi.Output<string>>;
  readonly invocationLogGroup?: pulumi.Output<string>;
  readonly [extra: string]: unknown;
}

/** Composes a whole stage from its configuration. Composition only: every decision lives in the config. */
export function deployStage(config: StageConfig): StageOutputs {
  const tags = stageTags(config);
  const providers = composeProviders(config, tags);
  // Before any role: every role the program creates carries its account's workload boundary.
  const workloadBoundaryArns = composeWorkloadBoundaries({ config, providers, tags });
  const foundation = { config, providers, tags, workloadBoundaryArns };
  const fed = composeFederation(foundation);
  const inf = composeInference({ ...foundation, userRole: fed.userRole });
  const { account } = inf;
  // IdC stages with telemetry: collector tokens for IAM callers (IdC users and the cross-account roles).
  const tokenEndpoint = composeTokenEndpoint(foundation, inf);
  // Bedrock's quotas, in the inference account: their alarms join the inference alarms (dashboard, verify).
  const serviceQuotas = composeServiceQuotas({ ...foundation, alarmTopicArn: account.alarmTopicArn });
  const inferenceAlarmNames = [...account.alarmNames, ...(serviceQuotas?.alarmNames ?? [])];
  const ctx: StageContext = {
    ...foundation,
    ...(tokenEndpoint ? { tokenEndpoint } : {}),
    ...(config.identityProvider ? { issuer: config.identityProvider.issuer } : {}),
    userRole: fed.userRole,
    alarmTopicArn: account.alarmTopicArn,
    inferenceKeyArn: account.keyArn,
    teamProfiles: account.teamProfiles,
    modelAliases: inf.modelAliases,
    alarmNames: inferenceAlarmNames,
    ...(account.invocationLogs ? { invocationLogs: account.invocationLogs } : {}),
  };

  // The dashboard (telemetry) lists the quota alarms, and quotas read telemetry's log group: the ARNs come later.
  // Their names are fixed, but which alarms exist follows from six quota decisions made while composing
  // quotas (sources, price source, block, rate limits, reconciliation and its account), not from config alone.
  const laterAlarmArns = later<string[]>();
  const telemetry = composeTelemetry(ctx, {
    laterAlarmArns: laterAlarmArns.output,
    ...(serviceQuotas ? { serviceQuotas: serviceQuotas.dashboard } : {}),
  });
  // The analytics bucket and key name the quota price function's role, which quotas create later. Not
  // derived from config: the role is auto-named, and S3 bucket and KMS key policies refuse a principal that
  // does not exist yet, so the policies must wait for the role, which this output makes them do.
  const priceWriterRoleArn = later<string>();
  const analytics = composeAnalytics(ctx, { telemetry, priceWriterRoleArn: priceWriterRoleArn.output });
  const quotas = composeQuotas(ctx, { telemetry, analytics });
  laterAlarmArns.resolve(pulumi.all(quotas?.service.alarmArns ?? []));
  // Read only when the stage decided a price source, which quotas then create: never left waiting there.
  priceWriterRoleArn.resolve(quotas?.service.priceRoleArn ?? "");
  const billing = composeBilling(ctx, { analytics, quotas });
  const distribution = composeDistribution(ctx);
  const cicd = composeCicd(ctx);
  const areas: readonly (StagePart | undefined)[] = [telemetry, quotas, analytics, billing, distribution, cicd];
  // IdC: the permission set names the quota check route and the block policies, so it comes after the areas.
  composeIdentityCenter(ctx, { account, boundary: { name: fed.oidc.boundary!.name, resource: fed.oidc.boundary! }, quotas });

  const helperSettings = composeHelperSettings(config, {
    federation: fed.settings,
    teamProfiles: account.teamProfiles,
    fragments: areas.flatMap((a) => (a?.helper ? [a.helper] : [])),
  });
  return {
    ...Object.assign({}, ...areas.map((a) => a?.outputs ?? {})),
    helperSettings,
    userRoleArn: fed.userRole.arn,
    ...(fed.oidc.providerArn ? { oidcProviderArn: fed.oidc.providerArn } : {}),
    alarmTopicArn: account.alarmTopicArn,
    teamInferenceProfiles: account.teamProfiles,
    crossAccountRoleArns: inf.crossAccountRoleArns,
    ...(account.invocationLogs ? { invocationLogGroup: account.invocationLogs.logGroupName } : {}),
    // Read by `npm run verify`: the logging configuration must point at this bucket, the role keep this
    // boundary, and these alarms must exist and notify the alarm topic.
    ...(account.invocationLogs ? { invocationLogBucket: account.invocationLogs.bucketName } : {}),
    // The audit option: the only role that reads the full-text invocation logs.
    ...(account.invocationLogs?.audit ? { invocationAuditRoleArn: account.invocationLogs.audit.roleArn } : {}),
    ...(fed.oidc.boundaryArn ? { userRoleBoundaryArn: fed.oidc.boundaryArn } : {}),
    alarmNames: pulumi.all(inferenceAlarmNames),
  };
}
