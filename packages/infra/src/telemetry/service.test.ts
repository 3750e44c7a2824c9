import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { arr, at, inputsOf, installMocks, policyOf, type ResourceRecorder, settle, statementBySid, unwrap } from "../testing";
import type * as Rules from "../rules";
import type * as Telemetry from "./index";
import { expectEveryRoleBounded } from "../testing/suite";

let recorder: ResourceRecorder;
let telemetry: typeof Telemetry;
let rules: typeof Rules;

beforeAll(async () => {
  recorder = await installMocks({
    accountId: "333333333333",
    region: "us-east-1",
    // ACM computes the validation record; the mock answers like ACM would.
    state: (type, _name, inputs) =>
      type === "aws:acm/certificate:Certificate"
        ? {
            domainValidationOptions: [
              {
                domainName: inputs.domainName,
                resourceRecordName: `_abc.${inputs.domainName}.`,
                resourceRecordType: "CNAME",
                resourceRecordValue: "_def.acm-validations.aws.",
              },
            ],
          }
        : undefined,
  });
  telemetry = await import("./index.js");
  rules = await import("../rules/index.js");
});
beforeEach(() => recorder.clear());

const code = {
  archive: new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.StringAsset("export const handler = async () => {};") }),
  handler: "index.handler",
};
const issuer = {
  url: "https://example.okta.com/oauth2/default",
  iss: "https://example.okta.com/oauth2/default",
  key: "example.okta.com/oauth2/default",
  kind: "okta" as const,
};
const BOUNDARY = "arn:aws:iam::111111111111:policy/ccb-test-workload-boundary";
const baseArgs = (): Telemetry.TelemetryServiceArgs => ({
  stage: "pilot",
  namePrefix: "ccb-pilot",
  issuer,
  audience: "0oa1pilotclientid",
  emailClaim: "email",
  attributeClaims: { department: "department", team: "team", costCenter: "cost_center" },
  network: { cidrBlock: "10.80.0.0/20", natGateways: 1 },
  loadBalancer: {
    scheme: "internet-facing",
    allowedCidrs: ["0.0.0.0/0"],
    domainName: "otel.pilot.example.com",
    hostedZoneId: "Z0123456789ABCDEFGHIJ",
  },
  collector: { image: "otel/opentelemetry-collector-contrib:0.136.0", cpu: 512, memoryMiB: 1024, minTasks: 1, maxTasks: 2 },
  logRetentionDays: 30,
  rawDataExpirationDays: 90,
  aggregator: { code },
  dashboard: { bedrockModelIds: ["us.anthropic.claude-sonnet-4-5-20250929-v1:0"] },
  alarmTopicArn: "arn:aws:sns:us-east-1:333333333333:ccb-pilot-alarms",
  permissionsBoundaryArn: BOUNDARY,
  tags: { stage: "pilot" },
});

async function build(args = baseArgs()) {
  const svc = new telemetry.TelemetryService("tel", args);
  await unwrap(svc.collectorConfigYaml);
  await unwrap(svc.dashboardName);
  await settle();
  return svc;
}

const counts = () => {
  const c: Record<string, number> = {};
  for (const r of recorder.resources) c[r.type] = (c[r.type] ?? 0) + 1;
  return c;
};
const policyStatements = (name: string) => policyOf(recorder.one("aws:iam/rolePolicy:RolePolicy", name).inputs.policy)!.Statement;
const SERVICE = "aws:ecs/service:Service";
const FUNCTION = "aws:lambda/function:Function";
/** The subnets the program tagged as private. */
const privateSubnetIds = () =>
  recorder
    .byType("aws:ec2/subnet:Subnet")
    .filter((s) => at(s.inputs, "tags", "tier") === "private")
    .map((s) => s.id);

describe("TelemetryService", () => {
  it("creates exactly the network, load balancer, service, storage, aggregation and dashboard resources, and passes every rule", async () => {
    await build();
    expect(counts()).toEqual({
      "claude-code-bedrock:telemetry:TelemetryService": 1,
      "aws:kms/key:Key": 1,
      "aws:kms/alias:Alias": 1,
      "aws:cloudwatch/logGroup:LogGroup": 5,
      "claude-code-bedrock:storage:SecureBucket": 1,
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
      "aws:s3/bucketVersioning:BucketVersioning": 1,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "aws:ec2/vpc:Vpc": 1,
      "aws:ec2/internetGateway:InternetGateway": 1,
      "aws:ec2/routeTable:RouteTable": 3,
      "aws:ec2/subnet:Subnet": 4,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 4,
      "aws:ec2/eip:Eip": 1,
      "aws:ec2/natGateway:NatGateway": 1,
      "aws:ec2/vpcEndpoint:VpcEndpoint": 1,
      "aws:ec2/flowLog:FlowLog": 1,
      "aws:ec2/securityGroup:SecurityGroup": 2,
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 3,
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 4,
      "aws:lb/loadBalancer:LoadBalancer": 1,
      "aws:acm/certificate:Certificate": 1,
      "aws:acm/certificateValidation:CertificateValidation": 1,
      "aws:route53/record:Record": 2,
      "aws:lb/targetGroup:TargetGroup": 1,
      "aws:lb/listener:Listener": 1,
      "aws:iam/role:Role": 4,
      "aws:iam/rolePolicy:RolePolicy": 4,
      "aws:ecs/cluster:Cluster": 1,
      "aws:ecs/taskDefinition:TaskDefinition": 1,
      "aws:ecs/service:Service": 1,
      "aws:appautoscaling/target:Target": 1,
      "aws:appautoscaling/policy:Policy": 2,
      "aws:lambda/function:Function": 1,
      "aws:cloudwatch/eventRule:EventRule": 1,
      "aws:cloudwatch/eventTarget:EventTarget": 1,
      "aws:lambda/permission:Permission": 1,
      "aws:cloudwatch/dashboard:Dashboard": 1,
      "aws:cloudwatch/metricAlarm:MetricAlarm": 2,
    });
    // Every role the component creates carries the boundary it was given.
    expectEveryRoleBounded(recorder, BOUNDARY);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("has one listener: HTTPS on 443 with a TLS 1.3 policy, JWT validation (issuer, JWKS, audience) before forwarding", async () => {
    await build();
    const listeners = recorder.byType("aws:lb/listener:Listener");
    expect(listeners).toHaveLength(1);
    const l = listeners[0]!.inputs;
    expect(l).toMatchObject({ port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" });
    expect(l.certificateArn).toMatch(/^arn:aws:acm:/);
    expect(l.defaultActions).toEqual([
      {
        type: "jwt-validation",
        order: 1,
        jwtValidation: {
          issuer: issuer.url,
          jwksEndpoint: "https://example.okta.com/oauth2/default/v1/keys",
          additionalClaims: [{ name: "aud", format: "single-string", values: ["0oa1pilotclientid"] }],
        },
      },
      {
        type: "forward",
        order: 2,
        targetGroupArn: recorder.one("aws:lb/targetGroup:TargetGroup", "tel-tg").inputs.arn ?? expect.any(String),
      },
    ]);
    const alb = recorder.one("aws:lb/loadBalancer:LoadBalancer", "tel-alb").inputs;
    expect(alb).toMatchObject({ internal: false, dropInvalidHeaderFields: true, enableDeletionProtection: true });
  });

  it("opens only 443 to the allowed ranges; tasks accept only the load balancer on the OTLP and health ports", async () => {
    await build({ ...baseArgs(), loadBalancer: { ...baseArgs().loadBalancer, allowedCidrs: ["10.0.0.0/8", "192.168.0.0/16"] } });
    const ingress = recorder.byType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => r.inputs);
    const albSg = recorder.one("aws:ec2/securityGroup:SecurityGroup", "tel-alb-sg").id;
    const taskSg = recorder.one("aws:ec2/securityGroup:SecurityGroup", "tel-task-sg").id;
    expect(ingress.filter((i) => i.securityGroupId === albSg).map((i) => [i.fromPort, i.toPort, i.cidrIpv4])).toEqual([
      [443, 443, "10.0.0.0/8"],
      [443, 443, "192.168.0.0/16"],
    ]);
    expect(ingress.filter((i) => i.securityGroupId === taskSg).map((i) => [i.fromPort, i.referencedSecurityGroupId, i.cidrIpv4])).toEqual([
      [4318, albSg, undefined],
      [13133, albSg, undefined],
    ]);
    const egress = recorder.byType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((r) => r.inputs);
    expect(egress.filter((e) => e.cidrIpv4 === "0.0.0.0/0").every((e) => e.fromPort === 443 && e.toPort === 443)).toBe(true);
  });

  it("runs the pinned image with the generated config, read-only, as a non-root user, in private subnets without public IPs", async () => {
    const svc = await build();
    const td = recorder.one("aws:ecs/taskDefinition:TaskDefinition", "tel-task").inputs;
    expect(td).toMatchObject({
      cpu: "512",
      memory: "1024",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
    });
    const [container] = JSON.parse(String(td.containerDefinitions));
    expect(container.image).toBe("otel/opentelemetry-collector-contrib:0.136.0");
    expect(container.command).toEqual(["--config=env:OTELCOL_CONFIG"]);
    expect(container.readonlyRootFilesystem).toBe(true);
    expect(container.user).toBe("10001");
    const yaml = container.environment.find((e: { name: string }) => e.name === "OTELCOL_CONFIG").value;
    expect(yaml).toBe(await unwrap(svc.collectorConfigYaml));
    const cfg = parse(yaml);
    expect(telemetry.validateCollectorConfig(cfg, telemetry.CONTRIB_0_136_0)).toEqual([]);
    expect(cfg.extensions.oidc.providers[0]).toEqual({ issuer_url: issuer.url, audience: "0oa1pilotclientid", username_claim: "email" });
    expect(cfg.exporters.awsemf.log_group_name).toBe("/ccb-pilot/telemetry/emf");
    const svcIn = inputsOf<aws.ecs.ServiceArgs>(recorder.one(SERVICE, "tel-service"), SERVICE);
    expect(svcIn.networkConfiguration?.assignPublicIp).toBe(false);
    const privateIds = privateSubnetIds();
    expect(svcIn.networkConfiguration?.subnets).toEqual(privateIds);
    expect(svcIn.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    expect(svcIn.taskDefinition).toMatch(/^arn:aws:ecs:us-east-1:333333333333:.*tel-task/);
    const cluster = recorder.one("aws:ecs/cluster:Cluster", "tel-cluster").inputs;
    expect(cluster.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
  });

  it("scales on CPU and memory between the configured bounds", async () => {
    await build({ ...baseArgs(), collector: { ...baseArgs().collector, minTasks: 2, maxTasks: 6 } });
    expect(recorder.one("aws:appautoscaling/target:Target", "tel-scaling").inputs).toMatchObject({
      minCapacity: 2,
      maxCapacity: 6,
      scalableDimension: "ecs:service:DesiredCount",
    });
    const policies = recorder
      .byType("aws:appautoscaling/policy:Policy")
      .map((p) => inputsOf<aws.appautoscaling.PolicyArgs>(p).targetTrackingScalingPolicyConfiguration);
    expect(policies.map((p) => [p?.predefinedMetricSpecification?.predefinedMetricType, p?.targetValue])).toEqual([
      ["ECSServiceAverageCPUUtilization", 60],
      ["ECSServiceAverageMemoryUtilization", 70],
    ]);
  });

  it("gives roles only what they use: the task writes its log groups and its S3 prefixes, the ECS agent its log stream", async () => {
    await build();
    const task = policyStatements("tel-task-policy");
    expect(task.map((s) => [s.Sid, s.Action])).toEqual([
      ["WriteTelemetryLogs", ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]],
      ["WriteRawTelemetry", ["s3:PutObject"]],
      ["EncryptRawTelemetry", ["kms:Decrypt", "kms:GenerateDataKey"]],
    ]);
    expect(task[0]?.Resource).toEqual([
      "arn:aws:logs:us-east-1:333333333333:log-group:/ccb-pilot/telemetry/emf",
      "arn:aws:logs:us-east-1:333333333333:log-group:/ccb-pilot/telemetry/emf:*",
      "arn:aws:logs:us-east-1:333333333333:log-group:/ccb-pilot/telemetry/events",
      "arn:aws:logs:us-east-1:333333333333:log-group:/ccb-pilot/telemetry/events:*",
    ]);
    const rawObjects = task[1]?.Resource;
    expect(Array.isArray(rawObjects) && rawObjects.every((r) => /\/(metrics|events)\/\*$/.test(r))).toBe(true);
    expect(task[2]?.Condition).toEqual({ StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } });
    expect(policyStatements("tel-execution-policy")).toEqual([
      {
        Sid: "ContainerLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: ["arn:aws:logs:us-east-1:333333333333:log-group:/ccb-pilot/telemetry/collector:*"],
      },
    ]);
    const trust = policyOf(recorder.one("aws:iam/role:Role", "tel-task-role").inputs.assumeRolePolicy)!.Statement[0];
    expect(trust).toMatchObject({
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": "333333333333" } },
    });
    expect(recorder.byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
  });

  it("the ECS role rule inspects the real task and execution roles (a widened statement is found)", async () => {
    await build();
    const verdict = rules.evaluateRules(recorder.resources).find((v) => v.rule === "ecs-task-roles-least-privilege")!;
    expect(verdict.checked).toBe(1);
    expect(verdict.findings).toEqual([]);
    const widened = recorder.resources.map((r) =>
      r.name === "tel-task-policy"
        ? {
            ...r,
            inputs: {
              ...r.inputs,
              policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Sid: "Wide", Effect: "Allow", Action: ["s3:PutObject"], Resource: "*" }],
              }),
            },
          }
        : r,
    );
    expect(
      rules
        .evaluateRules(widened)
        .find((v) => v.rule === "ecs-task-roles-least-privilege")!
        .findings.map((f) => f.message),
    ).toEqual(["tel-task-policy statement Wide allows s3:PutObject on * without a condition"]);
  });

  it("lets the aggregator query only the collector's groups and publish only to its namespace", async () => {
    await build();
    const s = policyStatements("tel-aggregator-policy");
    const put = s.find((x) => x.Sid === "PublishAggregates");
    expect(put).toMatchObject({
      Action: ["cloudwatch:PutMetricData"],
      Resource: ["*"],
      Condition: { StringEquals: { "cloudwatch:namespace": "ClaudeCode/ccb-pilot/Aggregates" } },
    });
    expect(statementBySid(s, "QueryTelemetry").Resource).toHaveLength(4);
    const fn = inputsOf<aws.lambda.FunctionArgs>(recorder.one(FUNCTION, "tel-aggregator"), FUNCTION);
    expect(fn.environment?.variables).toMatchObject({
      AGG_NAMESPACE: "ClaudeCode/ccb-pilot/Aggregates",
      METRICS_LOG_GROUP: "/ccb-pilot/telemetry/emf",
      EVENTS_LOG_GROUP: "/ccb-pilot/telemetry/events",
    });
    const prices = JSON.parse(String(fn.environment?.variables?.PRICES_JSON));
    expect(prices.models["claude-sonnet-4-5"]).toEqual({ input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 });
    expect(recorder.one("aws:cloudwatch/eventRule:EventRule", "tel-aggregator-schedule").inputs.scheduleExpression).toBe(
      "rate(15 minutes)",
    );
  });

  it("prices application inference profiles (team users' model ids) as their base model", async () => {
    const arn = "arn:aws:bedrock:us-east-1:333333333333:application-inference-profile/abc123def456";
    await build({
      ...baseArgs(),
      modelAliases: [
        { id: arn, baseModelId: "anthropic.claude-haiku-4-5-20251001-v1:0" },
        { id: "arn:x", baseModelId: "anthropic.unknown" },
      ],
    });
    const prices = JSON.parse(String(at(recorder.one(FUNCTION, "tel-aggregator").inputs, "environment", "variables", "PRICES_JSON")));
    expect(prices.models[arn]).toEqual({ input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 });
    expect("arn:x" in prices.models).toBe(false);
  });

  it("encrypts and retains every log group, and the raw bucket with the component's rotating key", async () => {
    await build();
    for (const g of recorder.byType("aws:cloudwatch/logGroup:LogGroup")) {
      expect(g.inputs.retentionInDays, g.name).toBe(30);
      expect(g.inputs.kmsKeyId, g.name).toBeDefined();
      expect(g.inputs.name, g.name).toMatch(/^\/ccb-pilot\/telemetry\//);
    }
    const key = recorder.one("aws:kms/key:Key", "tel-key").inputs;
    expect(key.enableKeyRotation).toBe(true);
    const logsStatement = statementBySid(policyOf(key.policy)!.Statement, "CloudWatchLogsEncrypts");
    expect(logsStatement.Condition?.ArnLike?.["kms:EncryptionContext:aws:logs:arn"]).toBe(
      "arn:aws:logs:us-east-1:333333333333:log-group:/ccb-pilot/telemetry/*",
    );
    expect(
      at(
        arr(recorder.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "tel-raw-lifecycle").inputs.rules)[0],
        "expiration",
        "days",
      ),
    ).toBe(90);
  });

  it("publishes a dashboard whose body references the stage's namespaces and models, and shows the named alarms", async () => {
    await build({
      ...baseArgs(),
      dashboard: {
        ...baseArgs().dashboard,
        alarmNames: ["ccb-pilot-throttles"],
        alarmAccountId: "111111111111",
        alarmArns: pulumi.output(["arn:aws:cloudwatch:us-east-1:111111111111:alarm:ccb-pilot-quotas-stale"]),
      },
    });
    const d = recorder.one("aws:cloudwatch/dashboard:Dashboard", "tel-dashboard").inputs;
    expect(d.dashboardName).toBe("ccb-pilot-claude-code");
    const body = JSON.parse(String(d.dashboardBody));
    const refs = telemetry.metricReferences(body);
    expect(new Set(refs.map((r) => r.namespace))).toEqual(
      new Set(["ClaudeCode/ccb-pilot", "ClaudeCode/ccb-pilot/Aggregates", "AWS/Bedrock"]),
    );
    expect(body.widgets.find((w: { type: string }) => w.type === "alarm").properties.alarms).toEqual([
      "arn:aws:cloudwatch:us-east-1:111111111111:alarm:ccb-pilot-throttles",
      "arn:aws:cloudwatch:us-east-1:111111111111:alarm:ccb-pilot-quotas-stale",
      // Its own alarms, in this account, by their explicit names.
      "arn:aws:cloudwatch:us-east-1:333333333333:alarm:ccb-pilot-no-healthy-collector",
      "arn:aws:cloudwatch:us-east-1:333333333333:alarm:ccb-pilot-negative-cache-savings",
    ]);
  });

  it("with the stage topic in another account: its own encrypted topic, subscribed by the stage's addresses, only its alarms may publish", async () => {
    const { alarmTopicArn: _, ...rest } = baseArgs();
    const svc = await build({ ...rest, alarmEmails: ["platform@example.com", "oncall@example.com"] });
    const topic = recorder.one("aws:sns/topic:Topic", "tel-alarms");
    const key = recorder.one("aws:kms/key:Key", "tel-key");
    // Encrypted with the component's key (the only key it creates).
    expect(topic.inputs.kmsMasterKeyId).toMatch(/^arn:aws:kms:us-east-1:333333333333:key\//);
    expect(recorder.byType("aws:kms/key:Key")).toHaveLength(1);
    const topicArn = await unwrap(pulumi.output(svc.alarmTopicArn));
    expect(topicArn).toMatch(/^arn:aws:sns:us-east-1:333333333333:/);
    expect(recorder.byType("aws:sns/topicSubscription:TopicSubscription").map((s) => [s.inputs.protocol, s.inputs.endpoint])).toEqual([
      ["email", "platform@example.com"],
      ["email", "oncall@example.com"],
    ]);
    const publish = statementBySid(
      policyOf(recorder.one("aws:sns/topicPolicy:TopicPolicy", "tel-alarms-policy").inputs.policy)!.Statement,
      "CloudWatchAlarmsPublish",
    );
    expect(publish.Principal).toEqual({ Service: "cloudwatch.amazonaws.com" });
    expect(publish.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "333333333333" },
      ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:333333333333:alarm:ccb-pilot-*" },
    });
    const keyUse = statementBySid(policyOf(key.inputs.policy)!.Statement, "AlarmsPublishToEncryptedTopic");
    expect(keyUse.Principal).toEqual({ Service: "cloudwatch.amazonaws.com" });
    expect(keyUse.Condition).toEqual({ StringEquals: { "aws:SourceAccount": "333333333333" } });
    const alarms = recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms.map((a) => a.inputs.name).sort()).toEqual(["ccb-pilot-negative-cache-savings", "ccb-pilot-no-healthy-collector"]);
    for (const a of alarms) expect(a.inputs.alarmActions, a.name).toEqual([topicArn]);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("with the stage topic in the same account: no topic of its own, and the key grants CloudWatch nothing", async () => {
    await build();
    expect(recorder.byType("aws:sns/topic:Topic")).toEqual([]);
    const key = recorder.one("aws:kms/key:Key", "tel-key");
    expect(policyOf(key.inputs.policy)!.Statement.map((s) => s.Sid)).not.toContain("AlarmsPublishToEncryptedTopic");
    for (const a of recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm"))
      expect(a.inputs.alarmActions).toEqual(["arn:aws:sns:us-east-1:333333333333:ccb-pilot-alarms"]);
  });

  it("refuses both the stage topic and addresses for a topic of its own", () => {
    expect(() => new telemetry.TelemetryService("tel", { ...baseArgs(), alarmEmails: ["a@example.com"] })).toThrow(/alarmEmails/);
  });

  it("puts the stage's permissions boundary on every role it creates (flow logs, execution, task, aggregator)", async () => {
    const boundary = "arn:aws:iam::333333333333:policy/ccb-pilot-workload-boundary";
    await build({ ...baseArgs(), permissionsBoundaryArn: boundary });
    const roles = recorder.byType("aws:iam/role:Role");
    expect(roles.map((r) => r.name).sort()).toEqual(["tel-aggregator-role", "tel-execution-role", "tel-flow-logs-role", "tel-task-role"]);
    for (const role of roles) expect(role.inputs.permissionsBoundary, role.name).toBe(boundary);
  });

  it("uses an imported certificate and an internal scheme without creating certificate or DNS resources", async () => {
    await build({
      ...baseArgs(),
      loadBalancer: {
        scheme: "internal",
        allowedCidrs: ["10.0.0.0/8"],
        domainName: "otel.corp.example.com",
        certificateArn: "arn:aws:acm:us-east-1:333333333333:certificate/0f0e0d0c-0000-4000-8000-000000000001",
      },
      collector: { ...baseArgs().collector, events: false },
    });
    expect(recorder.byType("aws:acm/certificate:Certificate")).toEqual([]);
    expect(recorder.byType("aws:route53/record:Record")).toEqual([]);
    const alb = recorder.one("aws:lb/loadBalancer:LoadBalancer", "tel-alb").inputs;
    expect(alb.internal).toBe(true);
    const privateIds = privateSubnetIds();
    expect(alb.subnets).toEqual(privateIds);
    expect(recorder.one("aws:lb/listener:Listener", "tel-https").inputs.certificateArn).toBe(
      "arn:aws:acm:us-east-1:333333333333:certificate/0f0e0d0c-0000-4000-8000-000000000001",
    );
    expect(recorder.byType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.name)).not.toContain("/ccb-pilot/telemetry/events");
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("uses an existing VPC when given one (no network resources)", async () => {
    await build({
      ...baseArgs(),
      network: {
        existing: {
          vpcId: "vpc-123",
          cidrBlock: "10.1.0.0/16",
          publicSubnetIds: ["subnet-a", "subnet-b"],
          privateSubnetIds: ["subnet-c", "subnet-d"],
        },
      },
    });
    expect(recorder.byType("aws:ec2/vpc:Vpc")).toEqual([]);
    expect(recorder.byType("aws:ec2/natGateway:NatGateway")).toEqual([]);
    expect(at(recorder.one(SERVICE, "tel-service").inputs, "networkConfiguration", "subnets")).toEqual(["subnet-c", "subnet-d"]);
  });

  it("places two NAT gateways, one per zone, when asked", async () => {
    await build({ ...baseArgs(), network: { cidrBlock: "10.80.0.0/20", natGateways: 2, logsEndpoint: true } });
    expect(recorder.byType("aws:ec2/natGateway:NatGateway")).toHaveLength(2);
    const routes = recorder.byType("aws:ec2/routeTable:RouteTable").filter((r) => r.name.startsWith("tel-private"));
    expect(new Set(routes.map((r) => at(arr(r.inputs.routes)[0], "natGatewayId"))).size).toBe(2);
    expect(
      recorder
        .byType("aws:ec2/vpcEndpoint:VpcEndpoint")
        .map((e) => e.inputs.vpcEndpointType)
        .sort(),
    ).toEqual(["Gateway", "Interface"]);
    expect(
      recorder
        .byType("aws:ec2/subnet:Subnet")
        .map((s) => s.inputs.cidrBlock)
        .sort(),
    ).toEqual(["10.80.0.0/24", "10.80.1.0/24", "10.80.12.0/22", "10.80.8.0/22"]);
  });

  it("refuses bad args before creating anything, naming each", () => {
    const bad = {
      ...baseArgs(),
      issuer: { url: "https://idp.example.com", iss: "https://idp.example.com", key: "idp.example.com", kind: "generic" as const },
      loadBalancer: {
        scheme: "internal" as const,
        allowedCidrs: ["0.0.0.0/0"],
        domainName: "Otel",
        sslPolicy: "ELBSecurityPolicy-2016-08",
      },
      collector: {
        image: "public.ecr.aws/aws-observability/aws-otel-collector:latest",
        cpu: 300,
        memoryMiB: 1024,
        minTasks: 0,
        maxTasks: 1,
      },
      logRetentionDays: 10,
    };
    expect(() => new telemetry.TelemetryService("bad", bad)).toThrow(
      /`jwksUri` is required for a generic issuer.*`loadBalancer.domainName`.*`certificateArn`.*`loadBalancer.sslPolicy`.*not 0.0.0.0\/0.*never latest.*`collector.cpu`.*`collector.minTasks`.*`logRetentionDays`/,
    );
    expect(recorder.resources).toEqual([]);
  });

  it("refuses the ADOT image before creating anything: it cannot verify tokens, so identity would come from forgeable headers", () => {
    expect(
      () =>
        new telemetry.TelemetryService("adot", {
          ...baseArgs(),
          collector: { ...baseArgs().collector, image: "public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1" },
        }),
    ).toThrow(/does not fit public\.ecr\.aws\/aws-observability\/aws-otel-collector:v0\.45\.1: .*extensions\.oidc: "oidc" is not in/);
    expect(recorder.resources).toEqual([]);
  });
});

describe("jwksUriFor", () => {
  it("derives the JWKS endpoint per IdP and needs one for generic issuers", () => {
    expect(telemetry.jwksUriFor({ url: "https://acme.okta.com", iss: "https://acme.okta.com", key: "acme.okta.com", kind: "okta" })).toBe(
      "https://acme.okta.com/oauth2/v1/keys",
    );
    expect(telemetry.jwksUriFor(issuer)).toBe("https://example.okta.com/oauth2/default/v1/keys");
    expect(
      telemetry.jwksUriFor({
        url: "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0",
        iss: "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0",
        key: "",
        kind: "entra",
      }),
    ).toBe("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/discovery/v2.0/keys");
    expect(
      telemetry.jwksUriFor({
        url: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
        iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
        key: "",
        kind: "cognito-user-pool",
      }),
    ).toBe("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc/.well-known/jwks.json");
    expect(
      telemetry.jwksUriFor({ url: "https://idp.example.com", iss: "https://idp.example.com", key: "", kind: "generic" }),
    ).toBeUndefined();
  });
});
