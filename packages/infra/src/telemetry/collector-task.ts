import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, policyDocument, renderPolicy, serviceTrustStatement, type AwsEnvironment, type Statement } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import type { TelemetryServiceArgs } from "./args";
import { HEALTH_PORT, OTLP_HTTP_PORT } from "./collector-config";
import type { CollectorDistribution } from "./components";
import type { LoadBalancer } from "./load-balancer";
import type { Network } from "./network";
import * as perms from "./perms";
import type { TelemetryStores } from "./stores";

export interface CollectorTaskInputs {
  readonly collector: TelemetryServiceArgs["collector"];
  readonly namePrefix: string;
  readonly env: AwsEnvironment;
  readonly stores: TelemetryStores;
  readonly network: Network;
  readonly loadBalancer: LoadBalancer;
  readonly distribution: CollectorDistribution;
  /** The rendered collector configuration. */
  readonly configYaml: pulumi.Output<string>;
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export interface CollectorTask {
  readonly taskRole: aws.iam.Role;
  readonly clusterName: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
}

/** Execution role (the ECS agent's log stream) and task role (EMF, events, raw data), each with its own grants. */
function buildCollectorRoles(scope: BuilderScope, args: CollectorTaskInputs) {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const { env, stores } = args;
  const ecsTrust = (sid: string) =>
    renderPolicy(
      policyDocument({
        ...serviceTrustStatement(
          "ecs-tasks.amazonaws.com",
          env.accountId,
          pulumi.interpolate`arn:${env.partition}:ecs:${env.region}:${env.accountId}:*`,
        ),
        Sid: sid,
      }),
    );
  const executionRole = new aws.iam.Role(
    `${name}-execution-role`,
    {
      description: "ECS agent for the Claude Code collector: writes its log stream",
      assumeRolePolicy: ecsTrust("EcsAgent"),
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    },
    parent,
  );
  new aws.iam.RolePolicy(
    `${name}-execution-policy`,
    {
      role: executionRole.name,
      policy: renderPolicy(
        policyDocument(allow(perms.CONTAINER_LOG_ACTIONS, [pulumi.interpolate`${stores.collectorLogs.arn}:*`], { sid: "ContainerLogs" })),
      ),
    },
    parent,
  );
  const taskRole = new aws.iam.Role(
    `${name}-task-role`,
    {
      description: "Claude Code collector: EMF and events to CloudWatch Logs, raw data to S3",
      assumeRolePolicy: ecsTrust("CollectorTask"),
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    },
    parent,
  );
  const { metricsLogs, eventsLogs, raw, key } = stores;
  const taskStatements: Statement[] = [
    allow(
      perms.COLLECTOR_LOG_ACTIONS,
      [
        metricsLogs.arn,
        pulumi.interpolate`${metricsLogs.arn}:*`,
        ...(eventsLogs ? [eventsLogs.arn, pulumi.interpolate`${eventsLogs.arn}:*`] : []),
      ],
      { sid: "WriteTelemetryLogs" },
    ),
    allow(
      perms.RAW_WRITE_ACTIONS,
      [pulumi.interpolate`${raw.arn}/metrics/*`, ...(eventsLogs ? [pulumi.interpolate`${raw.arn}/events/*`] : [])],
      { sid: "WriteRawTelemetry" },
    ),
    allow(perms.KMS_WRITE_ACTIONS, [key.arn], {
      sid: "EncryptRawTelemetry",
      conditions: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${env.region}.${env.dnsSuffix}` } },
    }),
  ];
  const taskPolicy = new aws.iam.RolePolicy(
    `${name}-task-policy`,
    { role: taskRole.name, policy: renderPolicy(policyDocument(...taskStatements)) },
    parent,
  );
  return { executionRole, taskRole, taskPolicy };
}

/** The collector container: pinned image, config from the environment, read-only root, non-root user. */
function containerDefinitions(args: CollectorTaskInputs): pulumi.Output<string> {
  const configVar = "OTELCOL_CONFIG";
  const fromEnvUri = args.distribution.configFrom === "env-uri";
  return pulumi.jsonStringify([
    {
      name: "collector",
      image: args.collector.image,
      essential: true,
      command: fromEnvUri ? [`--config=env:${configVar}`] : [],
      environment: [{ name: fromEnvUri ? configVar : "AOT_CONFIG_CONTENT", value: args.configYaml }],
      portMappings: [
        { containerPort: OTLP_HTTP_PORT, protocol: "tcp", name: "otlp-http" },
        { containerPort: HEALTH_PORT, protocol: "tcp", name: "health" },
      ],
      readonlyRootFilesystem: true,
      user: "10001",
      stopTimeout: 30,
      ulimits: [{ name: "nofile", softLimit: 65536, hardLimit: 65536 }],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": args.stores.collectorLogs.name,
          "awslogs-region": args.env.region,
          "awslogs-stream-prefix": "collector",
        },
      },
    },
  ]);
}

/** Cluster, task definition and Fargate service behind the target group, with CPU and memory target tracking. */
export function buildCollectorTask(scope: BuilderScope, args: CollectorTaskInputs): CollectorTask {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const { executionRole, taskRole, taskPolicy } = buildCollectorRoles(scope, args);
  const cluster = new aws.ecs.Cluster(`${name}-cluster`, { settings: [{ name: "containerInsights", value: "enabled" }], tags }, parent);
  const taskDefinition = new aws.ecs.TaskDefinition(
    `${name}-task`,
    {
      family: `${args.namePrefix}-otel-collector`,
      cpu: String(args.collector.cpu),
      memory: String(args.collector.memoryMiB),
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.collector.architecture ?? "ARM64" },
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      containerDefinitions: containerDefinitions(args),
      tags,
    },
    parent,
  );
  // A config change is a new task definition revision, so the service rolls (circuit breaker rolls back a bad one).
  const service = new aws.ecs.Service(
    `${name}-service`,
    {
      cluster: cluster.arn,
      taskDefinition: taskDefinition.arn,
      desiredCount: args.collector.minTasks,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      networkConfiguration: {
        subnets: [...args.network.privateSubnetIds],
        securityGroups: [args.loadBalancer.taskSecurityGroupId],
        assignPublicIp: false,
      },
      loadBalancers: [{ targetGroupArn: args.loadBalancer.targetGroup.arn, containerName: "collector", containerPort: OTLP_HTTP_PORT }],
      healthCheckGracePeriodSeconds: 60,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      enableExecuteCommand: false,
      tags,
    },
    childOpts(scope, { dependsOn: [args.loadBalancer.listener, taskPolicy], ignoreChanges: ["desiredCount"] }),
  );
  buildScaling(scope, { collector: args.collector, clusterName: cluster.name, serviceName: service.name });
  return { taskRole, clusterName: cluster.name, serviceName: service.name };
}

function buildScaling(
  scope: BuilderScope,
  args: { collector: TelemetryServiceArgs["collector"]; clusterName: pulumi.Output<string>; serviceName: pulumi.Output<string> },
): void {
  const parent = childOpts(scope);
  const scaling = new aws.appautoscaling.Target(
    `${scope.name}-scaling`,
    {
      minCapacity: args.collector.minTasks,
      maxCapacity: args.collector.maxTasks,
      resourceId: pulumi.interpolate`service/${args.clusterName}/${args.serviceName}`,
      scalableDimension: "ecs:service:DesiredCount",
      serviceNamespace: "ecs",
    },
    parent,
  );
  for (const [role, metric, target] of [
    ["cpu", "ECSServiceAverageCPUUtilization", 60],
    ["memory", "ECSServiceAverageMemoryUtilization", 70],
  ] as const) {
    new aws.appautoscaling.Policy(
      `${scope.name}-scale-${role}`,
      {
        policyType: "TargetTrackingScaling",
        resourceId: scaling.resourceId,
        scalableDimension: scaling.scalableDimension,
        serviceNamespace: scaling.serviceNamespace,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: target,
          predefinedMetricSpecification: { predefinedMetricType: metric },
          scaleInCooldown: 300,
          scaleOutCooldown: 60,
        },
      },
      parent,
    );
  }
}
