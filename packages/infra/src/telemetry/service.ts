import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsEnvironment } from "../iam";
import type { BuilderScope } from "../scope";
import { buildAggregator } from "./aggregator";
import { buildLocalAlarmTopic } from "./alarm-topic";
import { buildDashboard, buildTelemetryAlarms } from "./alarms";
import type { TelemetryServiceArgs } from "./args";
import { collectorConfig, renderCollectorConfig, validateCollectorConfig, type CollectorConfigOptions } from "./collector-config";
import { buildCollectorTask } from "./collector-task";
import { distributionOf } from "./components";
import { buildLoadBalancer } from "./load-balancer";
import { namespaces } from "./metrics";
import { buildNetwork } from "./network";
import { buildTelemetryStores } from "./stores";
import { jwksUriFor, validateTelemetryServiceArgs } from "./validate";

export type { AdditionalIssuer, FunctionCode, TelemetryServiceArgs } from "./args";
export { TOKEN_ISSUER_HEADER } from "./args";
export { modelKey, telemetryPriceBook } from "./price-book";

const AGGREGATION_PERIODS = [5, 10, 15, 20, 30, 60];

/** Args problems (the pure validation plus the schedule), each naming the key; empty when the args are usable. */
function telemetryServiceProblems(args: TelemetryServiceArgs): string[] {
  const problems = validateTelemetryServiceArgs({
    ...args,
    collector: { ...args.collector },
    network: { ...args.network, ...(args.network.existing ? { existing: { ...args.network.existing } } : {}) },
  });
  if (problems.length) return problems;
  if (args.alarmTopicArn && args.alarmEmails !== undefined)
    return ["`alarmEmails` is for a component without `alarmTopicArn` (its own topic); give one or the other"];
  if (!AGGREGATION_PERIODS.includes(args.aggregator.everyMinutes ?? 15))
    return ["`aggregator.everyMinutes` must divide an hour (5, 10, 15, 20, 30 or 60)"];
  return [];
}

/** The collector's options for one stage; the names of the bucket and log groups are filled in once they exist. */
function collectorOptions(
  args: TelemetryServiceArgs,
  collectorNamespace: string,
  names: { region: string; bucket: string; emfGroup: string; eventsGroup?: string | undefined },
  extraIssuerUrls: readonly string[] = (args.additionalIssuers ?? []).map(() => "https://issuer.invalid"),
): CollectorConfigOptions {
  return {
    region: names.region,
    stage: args.stage,
    issuerUrl: args.issuer.iss,
    audience: args.audience,
    emailClaim: args.emailClaim,
    attributeClaims: args.attributeClaims,
    namespace: collectorNamespace,
    metricsLogGroup: names.emfGroup,
    ...(names.eventsGroup ? { eventsLogGroup: names.eventsGroup } : {}),
    bucket: names.bucket,
    memoryMiB: args.collector.memoryMiB,
    additionalIssuers: (args.additionalIssuers ?? []).map((i, n) => ({
      issuerUrl: extraIssuerUrls[n]!,
      audience: i.audience,
      usernameClaim: i.usernameClaim,
    })),
  };
}

/**
 * The OpenTelemetry collector of a stage: a VPC (or an existing one), an ECS Fargate service running a
 * pinned collector image behind an internet-facing or internal Application Load Balancer that accepts
 * OTLP over HTTPS only and validates the caller's OIDC token (ALB `jwt-validation` with issuer, JWKS and
 * audience) before anything reaches a task; the collector validates the token again and takes the
 * user's identity from its claims. Exports: CloudWatch metrics (EMF), raw OTLP in S3, Claude Code events
 * in CloudWatch Logs; a scheduled Lambda computes what CloudWatch cannot (distinct users, leaderboards,
 * cost and prompt-cache savings, operations); a dashboard shows it all.
 */
export class TelemetryService extends pulumi.ComponentResource {
  /** `https://<domainName>`: what Claude Code's OTLP exporter sends to. */
  readonly endpoint: pulumi.Output<string>;
  readonly loadBalancerDnsName: pulumi.Output<string>;
  readonly loadBalancerArn: pulumi.Output<string>;
  readonly dashboardName: pulumi.Output<string>;
  readonly rawBucketName: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly metricsLogGroupName: pulumi.Output<string>;
  readonly metricsLogGroupArn: pulumi.Output<string>;
  readonly eventsLogGroupName?: pulumi.Output<string>;
  readonly namespaces: { readonly collector: string; readonly aggregates: string };
  /** The rendered collector configuration (no secrets in it). */
  readonly collectorConfigYaml: pulumi.Output<string>;
  readonly taskRole: aws.iam.Role;
  readonly vpcId: pulumi.Output<string>;
  /** The component's alarms (explicit names), empty without an alarm topic. */
  readonly alarmNames: readonly string[];
  readonly alarmArns: readonly pulumi.Output<string>[];
  /** The component's own alarm topic, when it has one (`alarmEmails`: the stage topic is in another account). */
  readonly alarmTopicArn?: pulumi.Input<string>;

  constructor(name: string, args: TelemetryServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:telemetry:TelemetryService", name, {}, opts);
    const problems = telemetryServiceProblems(args);
    if (problems.length) throw new Error(`TelemetryService ${name}: ${problems.join("; ")}`);
    this.namespaces = namespaces(args.namePrefix);
    const events = args.collector.events ?? true;
    const dist = distributionOf(args.collector.image)!;
    checkCollectorConfig(name, args, this.namespaces.collector, events, dist);
    const scope: BuilderScope = { name, parent: this, tags: { ...(args.tags ?? {}), component: "telemetry" } };
    const env = awsEnvironment(this);
    const boundary = args.permissionsBoundaryArn !== undefined ? { permissionsBoundaryArn: args.permissionsBoundaryArn } : {};

    const localTopic = !args.alarmTopicArn && args.alarmEmails !== undefined;
    const stores = buildTelemetryStores(scope, { ...args, env, events, alarmTopic: localTopic });
    const network = buildNetwork(scope, { ...args, env, keyArn: stores.key.arn, ...boundary });
    const jwksUri = args.jwksUri ?? jwksUriFor(args.issuer)!;
    const lb = buildLoadBalancer(scope, {
      loadBalancer: args.loadBalancer,
      network,
      issuerUrl: args.issuer.iss,
      jwksUri,
      audience: args.audience,
      audienceFormat: args.audienceFormat ?? "single-string",
      additionalIssuers: args.additionalIssuers,
    });
    const configYaml = collectorConfigYaml(args, this.namespaces.collector, env, stores);
    const task = buildCollectorTask(scope, {
      ...args,
      env,
      stores,
      network,
      loadBalancer: lb,
      distribution: dist,
      configYaml,
      ...boundary,
    });
    const everyMinutes = args.aggregator.everyMinutes ?? 15;
    buildAggregator(scope, { ...args, everyMinutes, aggregatesNamespace: this.namespaces.aggregates, env, stores, ...boundary });
    // Alarms first: the dashboard shows them (their ARNs come from their explicit names).
    const { topicArn, alarms } = buildAlarmRouting(
      scope,
      { ...args, env, keyArn: stores.key.arn, localTopic, lb },
      this.namespaces.aggregates,
    );
    this.alarmNames = alarms.names;
    this.alarmArns = alarms.arns;
    if (localTopic) this.alarmTopicArn = topicArn;
    this.dashboardName = buildDashboard(scope, {
      ...args,
      env,
      namespaces: this.namespaces,
      leaderboardSize: args.aggregator.leaderboardSize ?? 10,
      ownAlarmArns: alarms.arns,
    });

    this.metricsLogGroupName = stores.metricsLogs.name;
    this.metricsLogGroupArn = stores.metricsLogs.arn;
    this.eventsLogGroupName = stores.eventsLogs?.name;
    this.rawBucketName = stores.raw.bucketName;
    this.vpcId = network.vpcId;
    this.loadBalancerArn = lb.alb.arn;
    this.loadBalancerDnsName = lb.alb.dnsName;
    this.endpoint = lb.endpoint;
    this.collectorConfigYaml = configYaml;
    this.taskRole = task.taskRole;
    this.clusterName = task.clusterName;
    this.serviceName = task.serviceName;
    this.registerOutputs({
      endpoint: this.endpoint,
      loadBalancerDnsName: this.loadBalancerDnsName,
      dashboardName: this.dashboardName,
      rawBucketName: this.rawBucketName,
      clusterName: this.clusterName,
      serviceName: this.serviceName,
    });
  }
}

/** Checks the collector config against the image's components before anything exists (names filled in later). */
function checkCollectorConfig(
  name: string,
  args: TelemetryServiceArgs,
  namespace: string,
  events: boolean,
  dist: NonNullable<ReturnType<typeof distributionOf>>,
): void {
  const logGroupPrefix = `/${args.namePrefix}/telemetry`;
  // Check the config against the image's components before anything exists (names filled in later).
  const draft = collectorOptions(args, namespace, {
    region: "us-east-1",
    bucket: "bucket",
    emfGroup: `${logGroupPrefix}/emf`,
    eventsGroup: events ? `${logGroupPrefix}/events` : undefined,
  });
  const invalid = validateCollectorConfig(collectorConfig(draft), dist);
  if (invalid.length)
    throw new Error(`TelemetryService ${name}: the collector config does not fit ${args.collector.image}: ${invalid.join("; ")}`);
}

/** The collector's config as YAML, once the log groups and the raw bucket have their names. */
function collectorConfigYaml(
  args: TelemetryServiceArgs,
  namespace: string,
  env: ReturnType<typeof awsEnvironment>,
  stores: ReturnType<typeof buildTelemetryStores>,
): pulumi.Output<string> {
  const issuerUrls = pulumi.all((args.additionalIssuers ?? []).map((i) => i.issuerUrl));
  return pulumi
    .all([env.region, stores.metricsLogs.name, stores.eventsLogs?.name, stores.raw.bucketName, issuerUrls])
    .apply(([region, emfGroup, eventsGroup, bucket, extra]) =>
      renderCollectorConfig(collectorConfig(collectorOptions(args, namespace, { region, bucket, emfGroup, eventsGroup }, extra))),
    );
}

/** The alarm topic the component's alarms notify (its own, or the stage's) and the alarms. */
function buildAlarmRouting(
  scope: BuilderScope,
  a: TelemetryServiceArgs & {
    env: ReturnType<typeof awsEnvironment>;
    keyArn: pulumi.Input<string>;
    localTopic: boolean;
    lb: ReturnType<typeof buildLoadBalancer>;
  },
  aggregatesNamespace: string,
): { topicArn: pulumi.Input<string> | undefined; alarms: { names: readonly string[]; arns: readonly pulumi.Output<string>[] } } {
  const args = a;
  const env = a.env;
  const lb = a.lb;
  const localTopic = a.localTopic;
  const topicArn = localTopic
    ? buildLocalAlarmTopic(scope, { namePrefix: args.namePrefix, env, keyArn: a.keyArn, emails: args.alarmEmails ?? [] }).arn
    : args.alarmTopicArn;
  const alarms = topicArn
    ? buildTelemetryAlarms(scope, {
        stage: args.stage,
        namePrefix: args.namePrefix,
        env,
        alarmTopicArn: topicArn,
        aggregatesNamespace,
        loadBalancer: lb,
      })
    : { names: [], arns: [] };
  return { topicArn, alarms };
}
