import { mostExpensivePrice, TELEMETRY_AGGREGATOR_ENV as AGG_ENV, type PriceBook, type TelemetryAggregatorNames } from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NormalisedIssuer } from "../federation/issuer";
import { allow, awsEnvironment, policyDocument, renderPolicy, serviceTrustStatement, type Statement } from "../iam";
import { KNOWN_MODELS, type ModelPrice } from "../inference/models";
import { physicalName } from "../naming";
import { customerKey, SecureBucket } from "../storage";
import { collectorConfig, HEALTH_PATH, HEALTH_PORT, OTLP_HTTP_PORT, renderCollectorConfig, validateCollectorConfig } from "./collector-config";
import { distributionOf } from "./components";
import { dashboardBody } from "./dashboard";
import { AGG, AGG_DIM, ATTR, CC, namespaces, TOOL_CATEGORIES, type TokenType } from "./metrics";
import * as perms from "./perms";
import { DEFAULT_TLS_POLICY, jwksUriFor, subnetCidr, validateTelemetryServiceArgs } from "./validate";

/** Bundled Lambda code (the stacks bundle it from packages/telemetry-functions). */
export interface FunctionCode {
  readonly archive: pulumi.asset.Archive;
  readonly handler: string;
}

/** Header whose value picks the listener rule (and so the issuer) a bearer token is validated against. */
export const TOKEN_ISSUER_HEADER = "x-ccb-token-issuer";

export interface TelemetryServiceArgs {
  /** Stage name (written on every data point as deployment.environment). */
  readonly stage: string;
  /** Prefix of physical names (`ccb-pilot`). */
  readonly namePrefix: string;
  readonly issuer: NormalisedIssuer;
  /** The helper's OAuth client id: the `aud` both the ALB and the collector require. */
  readonly audience: string;
  /** JWKS endpoint; derived from the issuer for Okta, Entra, Auth0 and Cognito. */
  readonly jwksUri?: string;
  /** Format of the `aud` claim in the tokens the helper sends. @default "single-string" */
  readonly audienceFormat?: "single-string" | "string-array";
  /** Claim carrying the user's email (rejected tokens lack it). */
  readonly emailClaim: string;
  readonly attributeClaims: { readonly department?: string; readonly team?: string; readonly costCenter?: string };
  /**
   * Issuers trusted beside the corporate IdP (the token endpoint for IAM callers). The ALB validates such a
   * token in a listener rule chosen by the `x-ccb-token-issuer: <key>` header; the header only picks which
   * issuer's JWKS, audience and signature check runs, so a forged header gains nothing.
   */
  readonly additionalIssuers?: ReadonlyArray<{ readonly key: string; readonly issuerUrl: pulumi.Input<string>; readonly jwksUri: pulumi.Input<string>; readonly audience: string; readonly usernameClaim: string }>;
  readonly network: {
    /** CIDR of the VPC the component creates (two public and two private subnets). */
    readonly cidrBlock?: string;
    /** NAT gateways: 1 (cheaper) or 2 (one per zone). @default 1 */
    readonly natGateways?: number;
    /** Interface endpoint for CloudWatch Logs so EMF and events stay on the AWS network. @default false */
    readonly logsEndpoint?: boolean;
    /** Use an existing VPC instead. */
    readonly existing?: {
      readonly vpcId: pulumi.Input<string>;
      readonly cidrBlock: string;
      readonly publicSubnetIds: readonly pulumi.Input<string>[];
      readonly privateSubnetIds: readonly pulumi.Input<string>[];
    };
  };
  readonly loadBalancer: {
    readonly scheme: "internet-facing" | "internal";
    /** Networks allowed to reach the HTTPS listener. */
    readonly allowedCidrs: readonly string[];
    /** Host name developers' Claude Code sends to (the certificate's name). */
    readonly domainName: string;
    /** An existing ACM certificate for the domain; otherwise one is issued (needs `hostedZoneId`). */
    readonly certificateArn?: string;
    /** Route 53 zone for certificate validation and the alias record. */
    readonly hostedZoneId?: string;
    readonly sslPolicy?: string;
    /** @default true */
    readonly deletionProtection?: boolean;
  };
  readonly collector: {
    /** Pinned image, e.g. `otel/opentelemetry-collector-contrib:0.136.0`. */
    readonly image: string;
    /** Fargate CPU units. @default 512 */
    readonly cpu: number;
    /** @default 1024 */
    readonly memoryMiB: number;
    readonly minTasks: number;
    readonly maxTasks: number;
    /** Graviton is cheaper; the contrib image is multi-arch. @default "ARM64" */
    readonly architecture?: "ARM64" | "X86_64";
    /** Keep Claude Code events (tool decisions, API requests) for the operations breakdown. @default true */
    readonly events?: boolean;
  };
  /** Retention of every log group the component creates. */
  readonly logRetentionDays: number;
  /** Days raw OTLP data stays in S3. */
  readonly rawDataExpirationDays: number;
  readonly aggregator: {
    readonly code: FunctionCode;
    /** @default 15 */
    readonly everyMinutes?: number;
    /** @default 10 */
    readonly leaderboardSize?: number;
  };
  readonly dashboard: {
    /** `ModelId` values of the Bedrock widgets (the profile ids the stage calls). */
    readonly bedrockModelIds: readonly string[];
    /** Account of the Bedrock metrics when it is not this one. */
    readonly bedrockAccountId?: string;
    /** Alarms whose state the dashboard shows, by name, and the account they live in (default: this one). */
    readonly alarmNames?: readonly pulumi.Input<string>[];
    readonly alarmAccountId?: string;
  };
  /** Prices for cost and savings, by base model id. @default the catalog's list prices */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
  /**
   * Model ids Claude Code reports that are not base model ids, priced as a base model: the teams'
   * application inference profile ARNs (team users call those, so their `model` attribute is the ARN).
   */
  readonly modelAliases?: readonly { readonly id: pulumi.Input<string>; readonly baseModelId: string }[];
  /** Topic for the component's own alarms (no healthy collector, negative cache savings); same account. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  readonly tags?: Readonly<Record<string, string>>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

/** Match keys for model attribute values: `anthropic.claude-sonnet-4-5-20250929-v1:0` → `claude-sonnet-4-5`. */
export function modelKey(modelId: string): string {
  return modelId.replace(/^anthropic\./, "").replace(/(-\d{8})?(-v\d+(:\d+)?)?$/, "");
}

/**
 * The dashboard aggregation's price book (the one format, @ccb/contracts): models keyed by match key
 * (`modelKey`) and alias ids in lower case, because the function matches by containment in whatever
 * form Claude Code reports the model. The first price for a key wins, as the first match did before.
 * Families stay empty (a model without a key stays unpriced and is reported as such); `default` is
 * the most expensive price, as in every book.
 */
export function telemetryPriceBook(prices: Readonly<Record<string, ModelPrice>>, aliases: readonly { id: string; baseModelId: string }[]): PriceBook {
  const models: Record<string, ModelPrice> = {};
  const add = (key: string, price: ModelPrice) => {
    if (!(key in models)) models[key] = price;
  };
  for (const [id, price] of Object.entries(prices)) add(modelKey(id), price);
  for (const a of aliases) {
    const base = prices[a.baseModelId];
    if (base) add(a.id.toLowerCase(), base);
  }
  return { models, families: {}, default: mostExpensivePrice(Object.values(models)) ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } };
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

  constructor(name: string, args: TelemetryServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:telemetry:TelemetryService", name, {}, opts);
    const problems = validateTelemetryServiceArgs({
      ...args,
      collector: { ...args.collector },
      network: { ...args.network, ...(args.network.existing ? { existing: { ...args.network.existing } } : {}) },
    });
    if (problems.length) throw new Error(`TelemetryService ${name}: ${problems.join("; ")}`);
    const everyMinutes = args.aggregator.everyMinutes ?? 15;
    if (![5, 10, 15, 20, 30, 60].includes(everyMinutes)) throw new Error(`TelemetryService ${name}: \`aggregator.everyMinutes\` must divide an hour (5, 10, 15, 20, 30 or 60)`);
    const prefix = args.namePrefix;
    this.namespaces = namespaces(prefix);
    const events = args.collector.events ?? true;
    const logGroupPrefix = `/${prefix}/telemetry`;
    const dist = distributionOf(args.collector.image)!;
    const collectorOptions = (region: string, bucket: string, emfGroup: string, eventsGroup?: string, extraIssuerUrls: readonly string[] = (args.additionalIssuers ?? []).map(() => "https://issuer.invalid")) => ({
      region,
      stage: args.stage,
      issuerUrl: args.issuer.iss,
      audience: args.audience,
      emailClaim: args.emailClaim,
      attributeClaims: args.attributeClaims,
      namespace: this.namespaces.collector,
      metricsLogGroup: emfGroup,
      ...(eventsGroup ? { eventsLogGroup: eventsGroup } : {}),
      bucket,
      memoryMiB: args.collector.memoryMiB,
      additionalIssuers: (args.additionalIssuers ?? []).map((i, n) => ({ issuerUrl: extraIssuerUrls[n]!, audience: i.audience, usernameClaim: i.usernameClaim })),
    });
    // Check the config against the image's components before anything exists (names filled in later).
    const invalid = validateCollectorConfig(collectorConfig(collectorOptions("us-east-1", "bucket", `${logGroupPrefix}/emf`, events ? `${logGroupPrefix}/events` : undefined)), dist);
    if (invalid.length) throw new Error(`TelemetryService ${name}: the collector config does not fit ${args.collector.image}: ${invalid.join("; ")}`);
    const parent = { parent: this };
    const env = awsEnvironment(this);
    const tags = { ...(args.tags ?? {}), component: "telemetry" };
    const jwksUri = args.jwksUri ?? jwksUriFor(args.issuer)!;

    // Key for the log groups and the raw bucket. The root statement lets IAM policies in the account
    // grant use (the task role's S3 writes); CloudWatch Logs may use it only for this stage's groups.
    const key = customerKey(this, name, env, {
      description: `Claude Code telemetry (${args.stage}): log groups and raw OTLP data`,
      alias: `${prefix}-telemetry`,
      logGroups: `${logGroupPrefix}/*`,
      tags,
    });

    const logGroup = (role: string, group: string) =>
      new aws.cloudwatch.LogGroup(`${name}-${role}`, { name: group, retentionInDays: args.logRetentionDays, kmsKeyId: key.arn, tags }, { parent: this });
    const collectorLogs = logGroup("collector-logs", `${logGroupPrefix}/collector`);
    const metricsLogs = logGroup("emf-logs", `${logGroupPrefix}/emf`);
    const eventsLogs = events ? logGroup("events-logs", `${logGroupPrefix}/events`) : undefined;
    this.metricsLogGroupName = metricsLogs.name;
    this.metricsLogGroupArn = metricsLogs.arn;
    this.eventsLogGroupName = eventsLogs?.name;

    const raw = new SecureBucket(`${name}-raw`, { kmsKeyArn: key.arn, expirationDays: args.rawDataExpirationDays, versioning: false, noncurrentExpirationDays: 1, tags }, parent);
    this.rawBucketName = raw.bucketName;

    // ---- Network -------------------------------------------------------------------------------
    const net = this.network(name, args, env, tags, key.arn);
    this.vpcId = net.vpcId;

    // ---- Security groups: ALB only on 443 from the allowed ranges; tasks only from the ALB. -------
    const albSg = new aws.ec2.SecurityGroup(`${name}-alb-sg`, { vpcId: net.vpcId, description: "Claude Code OTLP load balancer: HTTPS in, collector out", tags }, parent);
    const taskSg = new aws.ec2.SecurityGroup(`${name}-task-sg`, { vpcId: net.vpcId, description: "Claude Code OTLP collector tasks: from the load balancer only", tags }, parent);
    args.loadBalancer.allowedCidrs.forEach((cidr) => {
      // Keyed by the range, so reordering the list does not replace rules.
      new aws.vpc.SecurityGroupIngressRule(`${name}-alb-https-in-${cidr.replace(/[./]/g, "-")}`, { securityGroupId: albSg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: cidr, description: "OTLP over HTTPS" }, parent);
    });
    for (const [role, port] of [["otlp", OTLP_HTTP_PORT], ["health", HEALTH_PORT]] as const) {
      new aws.vpc.SecurityGroupEgressRule(`${name}-alb-${role}-out`, { securityGroupId: albSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, referencedSecurityGroupId: taskSg.id, description: `to collector ${role}` }, parent);
      new aws.vpc.SecurityGroupIngressRule(`${name}-task-${role}-in`, { securityGroupId: taskSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, referencedSecurityGroupId: albSg.id, description: `${role} from the load balancer` }, parent);
    }
    // The ALB fetches the IdP's keys itself; the tasks reach AWS APIs and the IdP's discovery.
    new aws.vpc.SecurityGroupEgressRule(`${name}-alb-jwks-out`, { securityGroupId: albSg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "IdP JWKS over HTTPS" }, parent);
    new aws.vpc.SecurityGroupEgressRule(`${name}-task-https-out`, { securityGroupId: taskSg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "AWS APIs, IdP discovery, image pull" }, parent);

    // ---- Load balancer, certificate, listener with JWT validation ---------------------------------
    const lbArgs = args.loadBalancer;
    const alb = new aws.lb.LoadBalancer(`${name}-alb`, {
      loadBalancerType: "application",
      internal: lbArgs.scheme === "internal",
      subnets: [...(lbArgs.scheme === "internal" ? net.privateSubnetIds : net.publicSubnetIds)],
      securityGroups: [albSg.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "strictest",
      enableDeletionProtection: lbArgs.deletionProtection ?? true,
      idleTimeout: 120,
      tags,
    }, parent);
    this.loadBalancerArn = alb.arn;
    this.loadBalancerDnsName = alb.dnsName;

    let certificateArn: pulumi.Input<string>;
    if (lbArgs.certificateArn) {
      certificateArn = lbArgs.certificateArn;
    } else {
      const cert = new aws.acm.Certificate(`${name}-cert`, { domainName: lbArgs.domainName, validationMethod: "DNS", tags }, { parent: this });
      // One domain, one validation record.
      const option = cert.domainValidationOptions.apply((o) => o[0]!);
      const record = new aws.route53.Record(`${name}-cert-validation`, {
        zoneId: lbArgs.hostedZoneId!,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      }, parent);
      certificateArn = new aws.acm.CertificateValidation(`${name}-cert-validated`, { certificateArn: cert.arn, validationRecordFqdns: [record.fqdn] }, parent).certificateArn;
    }
    if (lbArgs.hostedZoneId) {
      new aws.route53.Record(`${name}-alias`, {
        zoneId: lbArgs.hostedZoneId,
        name: lbArgs.domainName,
        type: "A",
        aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
      }, parent);
    }

    const targetGroup = new aws.lb.TargetGroup(`${name}-tg`, {
      port: OTLP_HTTP_PORT,
      protocol: "HTTP",
      targetType: "ip",
      vpcId: net.vpcId,
      deregistrationDelay: 30,
      healthCheck: { enabled: true, path: HEALTH_PATH, port: String(HEALTH_PORT), protocol: "HTTP", matcher: "200", interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
      tags,
    }, parent);

    const listener = new aws.lb.Listener(`${name}-https`, {
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: lbArgs.sslPolicy ?? DEFAULT_TLS_POLICY,
      certificateArn,
      defaultActions: [
        {
          type: "jwt-validation",
          order: 1,
          jwtValidation: {
            issuer: args.issuer.iss,
            jwksEndpoint: jwksUri,
            additionalClaims: [{ name: "aud", format: args.audienceFormat ?? "single-string", values: [args.audience] }],
          },
        },
        { type: "forward", order: 2, targetGroupArn: targetGroup.arn },
      ],
      tags,
    }, parent);
    (args.additionalIssuers ?? []).forEach((i, n) => {
      new aws.lb.ListenerRule(`${name}-https-${i.key}`, {
        listenerArn: listener.arn,
        priority: 10 + n,
        conditions: [{ httpHeader: { httpHeaderName: TOKEN_ISSUER_HEADER, values: [i.key] } }],
        actions: [
          { type: "jwt-validation", order: 1, jwtValidation: { issuer: i.issuerUrl, jwksEndpoint: i.jwksUri, additionalClaims: [{ name: "aud", format: "single-string", values: [i.audience] }] } },
          { type: "forward", order: 2, targetGroupArn: targetGroup.arn },
        ],
        tags,
      }, parent);
    });
    this.endpoint = pulumi.output(`https://${lbArgs.domainName}`);

    // ---- Collector config, roles, task, service, autoscaling ------------------------------------
    const configYaml = pulumi.all([env.region, metricsLogs.name, eventsLogs?.name, raw.bucketName, pulumi.all((args.additionalIssuers ?? []).map((i) => i.issuerUrl))]).apply(([region, emfGroup, eventsGroup, bucket, extra]) =>
      renderCollectorConfig(collectorConfig(collectorOptions(region, bucket, emfGroup, eventsGroup, extra))),
    );
    this.collectorConfigYaml = configYaml;

    const ecsTrust = (role: string) =>
      renderPolicy(policyDocument({
        ...serviceTrustStatement("ecs-tasks.amazonaws.com", env.accountId, pulumi.interpolate`arn:${env.partition}:ecs:${env.region}:${env.accountId}:*`),
        Sid: role,
      }));
    const executionRole = new aws.iam.Role(`${name}-execution-role`, { description: "ECS agent for the Claude Code collector: writes its log stream", assumeRolePolicy: ecsTrust("EcsAgent"), permissionsBoundary: args.permissionsBoundaryArn, tags }, parent);
    new aws.iam.RolePolicy(`${name}-execution-policy`, {
      role: executionRole.name,
      policy: renderPolicy(policyDocument(allow(perms.CONTAINER_LOG_ACTIONS, [pulumi.interpolate`${collectorLogs.arn}:*`], { sid: "ContainerLogs" }))),
    }, parent);
    this.taskRole = new aws.iam.Role(`${name}-task-role`, { description: "Claude Code collector: EMF and events to CloudWatch Logs, raw data to S3", assumeRolePolicy: ecsTrust("CollectorTask"), permissionsBoundary: args.permissionsBoundaryArn, tags }, parent);
    const taskStatements: Statement[] = [
      allow(perms.COLLECTOR_LOG_ACTIONS, [metricsLogs.arn, pulumi.interpolate`${metricsLogs.arn}:*`, ...(eventsLogs ? [eventsLogs.arn, pulumi.interpolate`${eventsLogs.arn}:*`] : [])], { sid: "WriteTelemetryLogs" }),
      allow(perms.RAW_WRITE_ACTIONS, [pulumi.interpolate`${raw.arn}/metrics/*`, ...(events ? [pulumi.interpolate`${raw.arn}/events/*`] : [])], { sid: "WriteRawTelemetry" }),
      allow(perms.KMS_WRITE_ACTIONS, [key.arn], { sid: "EncryptRawTelemetry", conditions: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${env.region}.${env.dnsSuffix}` } } }),
    ];
    const taskPolicy = new aws.iam.RolePolicy(`${name}-task-policy`, { role: this.taskRole.name, policy: renderPolicy(policyDocument(...taskStatements)) }, parent);

    const cluster = new aws.ecs.Cluster(`${name}-cluster`, { settings: [{ name: "containerInsights", value: "enabled" }], tags }, parent);
    this.clusterName = cluster.name;
    const configVar = "OTELCOL_CONFIG";
    const containerDefinitions = pulumi.jsonStringify([
      {
        name: "collector",
        image: args.collector.image,
        essential: true,
        command: dist.configFrom === "env-uri" ? [`--config=env:${configVar}`] : [],
        environment: [{ name: dist.configFrom === "env-uri" ? configVar : "AOT_CONFIG_CONTENT", value: configYaml }],
        portMappings: [
          { containerPort: OTLP_HTTP_PORT, protocol: "tcp", name: "otlp-http" },
          { containerPort: HEALTH_PORT, protocol: "tcp", name: "health" },
        ],
        readonlyRootFilesystem: true,
        user: "10001",
        stopTimeout: 30,
        ulimits: [{ name: "nofile", softLimit: 65536, hardLimit: 65536 }],
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": collectorLogs.name, "awslogs-region": env.region, "awslogs-stream-prefix": "collector" } },
      },
    ]);
    const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task`, {
      family: `${prefix}-otel-collector`,
      cpu: String(args.collector.cpu),
      memory: String(args.collector.memoryMiB),
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.collector.architecture ?? "ARM64" },
      executionRoleArn: executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      containerDefinitions,
      tags,
    }, parent);
    // A config change is a new task definition revision, so the service rolls (circuit breaker rolls back a bad one).
    const service = new aws.ecs.Service(`${name}-service`, {
      cluster: cluster.arn,
      taskDefinition: taskDefinition.arn,
      desiredCount: args.collector.minTasks,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      networkConfiguration: { subnets: [...net.privateSubnetIds], securityGroups: [taskSg.id], assignPublicIp: false },
      loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: "collector", containerPort: OTLP_HTTP_PORT }],
      healthCheckGracePeriodSeconds: 60,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      enableExecuteCommand: false,
      tags,
    }, { parent: this, dependsOn: [listener, taskPolicy], ignoreChanges: ["desiredCount"] });
    this.serviceName = service.name;

    const scaling = new aws.appautoscaling.Target(`${name}-scaling`, {
      minCapacity: args.collector.minTasks,
      maxCapacity: args.collector.maxTasks,
      resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
      scalableDimension: "ecs:service:DesiredCount",
      serviceNamespace: "ecs",
    }, parent);
    for (const [role, metric, target] of [["cpu", "ECSServiceAverageCPUUtilization", 60], ["memory", "ECSServiceAverageMemoryUtilization", 70]] as const) {
      new aws.appautoscaling.Policy(`${name}-scale-${role}`, {
        policyType: "TargetTrackingScaling",
        resourceId: scaling.resourceId,
        scalableDimension: scaling.scalableDimension,
        serviceNamespace: scaling.serviceNamespace,
        targetTrackingScalingPolicyConfiguration: { targetValue: target, predefinedMetricSpecification: { predefinedMetricType: metric }, scaleInCooldown: 300, scaleOutCooldown: 60 },
      }, parent);
    }

    // ---- Aggregation Lambda --------------------------------------------------------------------
    const aggLogs = logGroup("aggregator-logs", `${logGroupPrefix}/aggregator`);
    const aggRole = new aws.iam.Role(`${name}-aggregator-role`, {
      description: "Claude Code telemetry aggregation: Logs Insights over the collector's groups, custom metrics",
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("lambda.amazonaws.com", env.accountId))),
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    }, parent);
    const queryGroups = [metricsLogs, ...(eventsLogs ? [eventsLogs] : [])];
    const aggPolicy = new aws.iam.RolePolicy(`${name}-aggregator-policy`, {
      role: aggRole.name,
      policy: renderPolicy(policyDocument(
        allow(perms.INSIGHTS_START_ACTIONS, queryGroups.flatMap((g) => [g.arn, pulumi.interpolate`${g.arn}:*`]), { sid: "QueryTelemetry" }),
        allow(perms.INSIGHTS_READ_ACTIONS, ["*"], { sid: "ReadQueryResults" }),
        allow(perms.PUT_METRIC_ACTIONS, ["*"], { sid: "PublishAggregates", conditions: { StringEquals: { "cloudwatch:namespace": this.namespaces.aggregates } } }),
        allow(perms.FUNCTION_LOG_ACTIONS, [pulumi.interpolate`${aggLogs.arn}:*`], { sid: "OwnLogs" }),
      )),
    }, parent);
    const prices = args.prices ?? Object.fromEntries(KNOWN_MODELS.map((m) => [m.id, m.price]));
    const aliasIds = pulumi.all((args.modelAliases ?? []).map((a) => pulumi.output(a.id)));
    const pricesJson = aliasIds.apply((ids) => JSON.stringify(telemetryPriceBook(prices, ids.map((id, i) => ({ id, baseModelId: args.modelAliases![i]!.baseModelId })))));
    const aggregator = new aws.lambda.Function(`${name}-aggregator`, {
      description: "Distinct active users, leaderboards, estimated cost, prompt-cache savings and operations for the Claude Code dashboard",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: args.aggregator.code.handler,
      code: args.aggregator.code.archive,
      role: aggRole.arn,
      memorySize: 256,
      timeout: 600,
      loggingConfig: { logFormat: "JSON", logGroup: aggLogs.name },
      environment: {
        // The contract's variable names (@ccb/contracts), read by its parseTelemetryAggregatorEnv.
        variables: {
          [AGG_ENV.namespace]: this.namespaces.aggregates,
          [AGG_ENV.metricsLogGroup]: metricsLogs.name,
          ...(eventsLogs ? { [AGG_ENV.eventsLogGroup]: eventsLogs.name } : {}),
          [AGG_ENV.leaderboardSize]: String(args.aggregator.leaderboardSize ?? 10),
          [AGG_ENV.prices]: pricesJson,
          [AGG_ENV.toolCategories]: JSON.stringify(TOOL_CATEGORIES),
          [AGG_ENV.everyMinutes]: String(args.aggregator.everyMinutes ?? 15),
          // Every name the Lambda reads or writes, from the one catalog (metrics.ts).
          [AGG_ENV.names]: JSON.stringify({
            metrics: AGG,
            dims: AGG_DIM,
            attrs: { email: ATTR.email, model: ATTR.model, type: ATTR.type, toolName: ATTR.toolName, decision: ATTR.decision },
            cc: { tokens: CC.tokens, linesOfCode: CC.linesOfCode, activeTime: CC.activeTime },
            tokenTypes: { input: "input", output: "output", cacheRead: "cacheRead", cacheCreation: "cacheCreation" } satisfies Record<TokenType, TokenType>,
          } satisfies TelemetryAggregatorNames),
        },
      },
      tags,
    }, { parent: this, dependsOn: [aggPolicy] });
    const every = everyMinutes;
    const rule = new aws.cloudwatch.EventRule(`${name}-aggregator-schedule`, { description: "Runs the telemetry aggregation", scheduleExpression: `rate(${every} minutes)`, tags }, parent);
    const permission = new aws.lambda.Permission(`${name}-aggregator-invoke`, { action: "lambda:InvokeFunction", function: aggregator.name, principal: "events.amazonaws.com", sourceArn: rule.arn }, parent);
    new aws.cloudwatch.EventTarget(`${name}-aggregator-target`, { rule: rule.name, arn: aggregator.arn, retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 600 } }, { parent: this, dependsOn: [permission] });

    // ---- Dashboard and alarms --------------------------------------------------------------------
    const dashboardName = physicalName("dashboard", [prefix, "claude-code"]);
    const dashboard = new aws.cloudwatch.Dashboard(`${name}-dashboard`, {
      dashboardName,
      dashboardBody: pulumi.all([env.region, env.partition, env.accountId, pulumi.all([...(args.dashboard.alarmNames ?? [])])]).apply(([region, partition, accountId, alarmNames]) =>
        JSON.stringify(dashboardBody({
          stage: args.stage,
          region,
          namespaces: this.namespaces,
          bedrockModelIds: args.dashboard.bedrockModelIds,
          ...(args.dashboard.bedrockAccountId ? { bedrockAccountId: args.dashboard.bedrockAccountId } : {}),
          alarmArns: alarmNames.map((n) => `arn:${partition}:cloudwatch:${region}:${args.dashboard.alarmAccountId ?? accountId}:alarm:${n}`),
          leaderboardSize: args.aggregator.leaderboardSize ?? 10,
        })),
      ),
    }, parent);
    this.dashboardName = dashboard.dashboardName;

    if (args.alarmTopicArn) {
      new aws.cloudwatch.MetricAlarm(`${name}-no-healthy-collector`, {
        alarmDescription: `No healthy Claude Code collector task (${args.stage}): telemetry is being dropped`,
        namespace: "AWS/ApplicationELB",
        metricName: "HealthyHostCount",
        dimensions: { TargetGroup: targetGroup.arnSuffix, LoadBalancer: alb.arnSuffix },
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: 5,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
        alarmActions: [args.alarmTopicArn],
        okActions: [args.alarmTopicArn],
        tags,
      }, parent);
      new aws.cloudwatch.MetricAlarm(`${name}-negative-cache-savings`, {
        alarmDescription: `Prompt caching costs more than it saves for some users (${args.stage}): check cache settings`,
        namespace: this.namespaces.aggregates,
        metricName: AGG.negativeSavingsUsers,
        dimensions: { [AGG_DIM.window]: "1d" },
        statistic: "Maximum",
        period: 3600,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [args.alarmTopicArn],
        tags,
      }, parent);
    }

    this.registerOutputs({
      endpoint: this.endpoint,
      loadBalancerDnsName: this.loadBalancerDnsName,
      dashboardName: this.dashboardName,
      rawBucketName: this.rawBucketName,
      clusterName: this.clusterName,
      serviceName: this.serviceName,
    });
  }

  private network(name: string, args: TelemetryServiceArgs, env: ReturnType<typeof awsEnvironment>, tags: Record<string, string>, keyArn: pulumi.Output<string>) {
    const parent = { parent: this };
    if (args.network.existing) {
      const e = args.network.existing;
      return { vpcId: pulumi.output(e.vpcId), publicSubnetIds: e.publicSubnetIds, privateSubnetIds: e.privateSubnetIds };
    }
    const cidr = args.network.cidrBlock!;
    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: `${args.namePrefix}-telemetry` } }, parent);
    const zones = aws.getAvailabilityZonesOutput({ state: "available" }, parent);
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags }, parent);
    const publicRoutes = new aws.ec2.RouteTable(`${name}-public-routes`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags }, parent);
    const nats = args.network.natGateways ?? 1;
    const publicSubnets: aws.ec2.Subnet[] = [];
    const privateSubnets: aws.ec2.Subnet[] = [];
    const privateRoutes: aws.ec2.RouteTable[] = [];
    const natGateways: aws.ec2.NatGateway[] = [];
    for (let i = 0; i < 2; i++) {
      const az = zones.names.apply((n) => n[i]!);
      const pub = new aws.ec2.Subnet(`${name}-public-${i}`, { vpcId: vpc.id, cidrBlock: subnetCidr(cidr, 4, i), availabilityZone: az, mapPublicIpOnLaunch: false, tags: { ...tags, tier: "public" } }, parent);
      new aws.ec2.RouteTableAssociation(`${name}-public-${i}-routes`, { subnetId: pub.id, routeTableId: publicRoutes.id }, parent);
      publicSubnets.push(pub);
      if (i < nats) {
        const eip = new aws.ec2.Eip(`${name}-nat-ip-${i}`, { domain: "vpc", tags }, parent);
        natGateways.push(new aws.ec2.NatGateway(`${name}-nat-${i}`, { subnetId: pub.id, allocationId: eip.id, tags }, { parent: this, dependsOn: [igw] }));
      }
    }
    for (let i = 0; i < 2; i++) {
      const az = zones.names.apply((n) => n[i]!);
      const priv = new aws.ec2.Subnet(`${name}-private-${i}`, { vpcId: vpc.id, cidrBlock: subnetCidr(cidr, 2, 2 + i), availabilityZone: az, tags: { ...tags, tier: "private" } }, parent);
      const routes = new aws.ec2.RouteTable(`${name}-private-${i}-routes`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateways[Math.min(i, natGateways.length - 1)]!.id }], tags }, parent);
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}-assoc`, { subnetId: priv.id, routeTableId: routes.id }, parent);
      privateSubnets.push(priv);
      privateRoutes.push(routes);
    }
    // S3 traffic (raw data) stays on the AWS network at no cost.
    new aws.ec2.VpcEndpoint(`${name}-s3-endpoint`, { vpcId: vpc.id, serviceName: pulumi.interpolate`com.amazonaws.${env.region}.s3`, vpcEndpointType: "Gateway", routeTableIds: privateRoutes.map((r) => r.id), tags }, parent);
    if (args.network.logsEndpoint) {
      const sg = new aws.ec2.SecurityGroup(`${name}-endpoint-sg`, { vpcId: vpc.id, description: "Interface endpoints: HTTPS from the VPC", tags }, parent);
      new aws.vpc.SecurityGroupIngressRule(`${name}-endpoint-https-in`, { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: cidr, description: "HTTPS from the VPC" }, parent);
      new aws.ec2.VpcEndpoint(`${name}-logs-endpoint`, {
        vpcId: vpc.id,
        serviceName: pulumi.interpolate`com.amazonaws.${env.region}.logs`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: privateSubnets.map((s) => s.id),
        securityGroupIds: [sg.id],
        tags,
      }, parent);
    }
    // Flow logs of rejected traffic: cheap evidence when a security group blocks something it should not.
    const flowLogs = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { name: `/${args.namePrefix}/telemetry/vpc-flow`, retentionInDays: args.logRetentionDays, kmsKeyId: keyArn, tags }, parent);
    const flowRole = new aws.iam.Role(`${name}-flow-logs-role`, {
      description: "VPC flow logs of the telemetry VPC",
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("vpc-flow-logs.amazonaws.com", env.accountId))),
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    }, parent);
    new aws.iam.RolePolicy(`${name}-flow-logs-policy`, {
      role: flowRole.name,
      policy: renderPolicy(policyDocument(allow(["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], [pulumi.interpolate`${flowLogs.arn}:*`], { sid: "FlowLogs" }))),
    }, parent);
    new aws.ec2.FlowLog(`${name}-flow-log`, { vpcId: vpc.id, trafficType: "REJECT", logDestinationType: "cloud-watch-logs", logDestination: flowLogs.arn, iamRoleArn: flowRole.arn, tags }, parent);
    return { vpcId: vpc.id, publicSubnetIds: publicSubnets.map((s) => s.id), privateSubnetIds: privateSubnets.map((s) => s.id) };
  }
}
