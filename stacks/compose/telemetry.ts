import * as pulumi from "@pulumi/pulumi";
import { inference, telemetry } from "@ccb/infra";
import type { StageContext, StagePart } from "./context";
import { lambdaCode } from "./lambda-code";
import { IAM_ISSUER_KEY, TELEMETRY_TOKEN_AUDIENCE } from "./token-endpoint";

/**
 * What the telemetry area hands to the areas composed after it: the collector's EMF log group (analytics
 * subscribes to it), the collector's task role, and the per-user token metric quotas can meter.
 */
export interface TelemetryPart extends StagePart {
  readonly service: telemetry.TelemetryService;
  readonly metricsLogGroup: { readonly name: pulumi.Output<string>; readonly arn: pulumi.Output<string> };
  readonly collectorTaskRole: { readonly name: pulumi.Output<string>; readonly arn: pulumi.Output<string> };
  /**
   * The telemetry account's own alarm topic, when that is not the inference account (alarm actions must
   * be in the alarm's account): other areas' alarms in the telemetry account notify it too.
   */
  readonly alarmTopicArn?: pulumi.Output<string>;
  /** For `quotas.QuotaService` `sources.telemetry`: the per-user series in the collector namespace. */
  readonly quotaTelemetrySource: {
    readonly namespace: string;
    readonly metricName: string;
    readonly userDimension: string;
    readonly typeDimension: string;
    readonly modelDimension: string;
  };
}

/**
 * Composes the telemetry area for a stage; `undefined` when the stage leaves it off.
 *
 * The collector, dashboard and aggregation run in the telemetry account (`ctx.providers.telemetry`; the
 * inference account in a one-account pilot). The model lifecycle check runs in the inference account,
 * where the models are invoked and the alarm topic lives.
 */
export interface TelemetryInputs {
  /** Alarms of the areas composed later (quotas), by ARN: the dashboard's alarm widget lists every alarm of the stage. */
  readonly laterAlarmArns?: pulumi.Output<string[]>;
  /** The Bedrock service-quota section of the dashboard (its metrics live with Bedrock's, in the inference account). */
  readonly serviceQuotas?: telemetry.ServiceQuotaDashboard;
}

export function composeTelemetry(ctx: StageContext, inputs: TelemetryInputs = {}): TelemetryPart | undefined {
  const cfg = ctx.config.telemetry;
  const idp = ctx.config.identityProvider;
  // The config requires the IdP with telemetry (stacks/config/identity-center-checks.ts): the collector's default issuer.
  if (!cfg.enabled || !idp) return undefined;
  const stage = ctx.config;
  const sameAccount = stage.decisions.telemetryInInferenceAccount;
  const modelIds = [stage.models.primary, stage.models.fast, ...(stage.models.opus ? [stage.models.opus] : [])];
  const bedrockModelIds = modelIds.map((id) => inference.profileId(id, stage.models.crossRegion));
  const service = new telemetry.TelemetryService(
    `${stage.namePrefix}-telemetry`,
    {
      stage: stage.name,
      namePrefix: stage.namePrefix,
      issuer: idp.issuer,
      audience: idp.clientId,
      ...(cfg.jwksUri ? { jwksUri: cfg.jwksUri } : {}),
      audienceFormat: cfg.audienceFormat,
      emailClaim: idp.emailClaim,
      attributeClaims: idp.attributeClaims,
      // IAM Identity Center stages: the token endpoint's tokens too (IdC users have no id_token).
      ...(ctx.tokenEndpoint
        ? {
            additionalIssuers: [
              {
                key: IAM_ISSUER_KEY,
                issuerUrl: ctx.tokenEndpoint.issuerUrl,
                jwksUri: ctx.tokenEndpoint.jwksUri,
                audience: TELEMETRY_TOKEN_AUDIENCE,
                usernameClaim: "sub",
              },
            ],
          }
        : {}),
      network: cfg.network.existing
        ? { existing: cfg.network.existing }
        : {
            ...(cfg.network.cidrBlock ? { cidrBlock: cfg.network.cidrBlock } : {}),
            natGateways: cfg.network.natGateways,
            logsEndpoint: cfg.network.logsEndpoint,
          },
      loadBalancer: {
        scheme: cfg.scheme,
        allowedCidrs: cfg.allowedCidrs,
        domainName: cfg.domainName,
        ...(cfg.certificateArn ? { certificateArn: cfg.certificateArn } : {}),
        ...(cfg.hostedZoneId ? { hostedZoneId: cfg.hostedZoneId } : {}),
        ...(cfg.sslPolicy ? { sslPolicy: cfg.sslPolicy } : {}),
        deletionProtection: cfg.deletionProtection,
      },
      collector: cfg.collector,
      logRetentionDays: cfg.logRetentionDays,
      rawDataExpirationDays: cfg.rawDataExpirationDays,
      aggregator: {
        code: lambdaCode("telemetry-functions", "aggregate/handler.ts"),
        everyMinutes: cfg.aggregator.everyMinutes,
        leaderboardSize: cfg.aggregator.leaderboardSize,
      },
      // Team users call their application inference profiles: price those ARNs as the profile's base model.
      modelAliases: ctx.modelAliases,
      dashboard: {
        bedrockModelIds,
        ...(sameAccount ? {} : { bedrockAccountId: stage.accounts.inference.id, alarmAccountId: stage.accounts.inference.id }),
        ...(ctx.alarmNames?.length ? { alarmNames: ctx.alarmNames } : {}),
        ...(inputs.laterAlarmArns ? { alarmArns: inputs.laterAlarmArns } : {}),
        ...(inputs.serviceQuotas ? { serviceQuotas: inputs.serviceQuotas } : {}),
      },
      // The stage topic when it is in this account; otherwise the component's own topic in the telemetry
      // account, subscribed by the stage's alarm addresses (see telemetry/alarm-topic.ts for why).
      ...(sameAccount ? { alarmTopicArn: ctx.alarmTopicArn } : { alarmEmails: stage.inference.alarms.emails }),
      permissionsBoundaryArn: ctx.workloadBoundaryArns[stage.accounts.telemetry.id],
      tags: { ...ctx.tags, area: "telemetry" },
    },
    { providers: { aws: ctx.providers.telemetry } },
  );

  if (cfg.crossAccountMetrics && !sameAccount) {
    new telemetry.CrossAccountMetrics(
      `${stage.namePrefix}-cross-account-metrics`,
      {
        namePrefix: stage.namePrefix,
        sources: [{ key: "inference", accountId: stage.accounts.inference.id, provider: ctx.providers.inference }],
        ...(stage.organizationId ? { organizationId: stage.organizationId } : {}),
        tags: { ...ctx.tags, area: "telemetry" },
      },
      { providers: { aws: ctx.providers.telemetry } },
    );
  }

  if (cfg.modelLifecycle.enabled) {
    new telemetry.ModelLifecycleCheck(
      `${stage.namePrefix}-model-lifecycle`,
      {
        stage: stage.name,
        namePrefix: stage.namePrefix,
        modelIds,
        topicArn: ctx.alarmTopicArn,
        topicKeyArn: ctx.inferenceKeyArn,
        code: lambdaCode("telemetry-functions", "lifecycle/handler.ts"),
        warnDays: cfg.modelLifecycle.warnDays,
        logRetentionDays: cfg.logRetentionDays,
        permissionsBoundaryArn: ctx.workloadBoundaryArns[stage.accounts.inference.id],
        tags: { ...ctx.tags, area: "telemetry" },
      },
      { providers: { aws: ctx.providers.inference } },
    );
  }

  return {
    service,
    metricsLogGroup: { name: service.metricsLogGroupName, arn: service.metricsLogGroupArn },
    collectorTaskRole: { name: service.taskRole.name, arn: service.taskRole.arn },
    ...(service.alarmTopicArn ? { alarmTopicArn: pulumi.output(service.alarmTopicArn) } : {}),
    quotaTelemetrySource: { namespace: service.namespaces.collector, ...telemetry.metrics.PER_USER_TOKENS },
    // Only HTTP protocols carry otelHeadersHelper headers (the bearer token the ALB and collector check).
    // Without the events pipeline the collector answers 404 on /v1/logs: the helper then turns the logs exporter off.
    helper: pulumi.output({
      telemetry: {
        endpoint: service.endpoint,
        protocol: "http/protobuf" as const,
        events: service.eventsLogGroupName !== undefined,
        ...(ctx.tokenEndpoint ? { tokenUrl: ctx.tokenEndpoint.tokenUrl } : {}),
      },
    }),
    outputs: {
      telemetryEndpoint: service.endpoint,
      telemetryLoadBalancerDnsName: service.loadBalancerDnsName,
      telemetryDashboard: service.dashboardName,
      telemetryRawBucket: service.rawBucketName,
      telemetryMetricsNamespace: service.namespaces.collector,
      // Read by `npm run verify` with the telemetry account's credentials in a multi-account stage.
      telemetryAlarmNames: [...service.alarmNames],
      ...(service.alarmTopicArn ? { telemetryAlarmTopicArn: service.alarmTopicArn } : {}),
    },
  };
}
