/**
 * `verify` against moto (Python moto 5.2 server, started here on a free port) seeded with what a healthy
 * stage has, then with each resource broken in turn: every break must produce its own FAIL and nothing else.
 *
 * moto lacks Bedrock inference profiles and tags, Cost Explorer's cost-allocation tags and Bedrock
 * Runtime's Converse; `bedrockStandIn` below answers the first two (and forwards every other Bedrock call, the
 * invocation-logging configuration, to moto), `runtimeStandIn` answers Converse. SNS goes through the
 * same forwarder because moto confirms every subscription at once: it can list one topic's subscriptions
 * as pending, as AWS does until the recipient clicks the link. `httpStandIn` plays the IdP's discovery document, the
 * collector endpoint and the quota API.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
} from "@aws-sdk/client-bedrock";
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  DeleteDashboardsCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, CreateLogGroupCommand, DeleteLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, UpdateContinuousBackupsCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  CreateListenerCommand,
  DeregisterTargetsCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  CreateOpenIDConnectProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  IAMClient,
  UpdateAssumeRolePolicyCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from "@aws-sdk/client-iam";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from "@aws-sdk/client-sns";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { startMoto, type Moto } from "@ccb/test-support";
import { verifyStage, type CheckResult } from "../src/checks";
import type { StageUnderTest } from "../src/outputs";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const REGION = "us-east-1";
const ACCOUNT = "123456789012"; // moto's default account
const PRIMARY = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const FAST = "anthropic.claude-haiku-4-5-20251001-v1:0";

const listen = async (handler: http.RequestListener): Promise<{ server: http.Server; url: string }> => {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};
const body = (req: http.IncomingMessage) =>
  new Promise<Buffer>((r) => {
    const c: Buffer[] = [];
    req.on("data", (d) => c.push(d));
    req.on("end", () => r(Buffer.concat(c)));
  });
const json = (res: http.ServerResponse, status: number, doc: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(doc));
};

// ---- Stand-in state (reset with moto before each test) ------------------------------------------
interface StandInState {
  profiles: Map<string, { name: string; models: string[]; tags: Record<string, string> }>;
  costTags: Record<string, "Active" | "Inactive">;
  issuer: string;
  discoveryIssuer: string;
  collectorStatus: number;
  quotaStatus: number;
  /** Cost Explorer refuses the caller (a member account of an organisation). */
  costTagsDenied?: boolean;
  /** A topic whose subscriptions the SNS forwarder lists as pending. */
  pendingTopic?: string;
}
let state: StandInState;

let moto: Moto;
let motoUrl: string;
let bedrockStandIn: { server: http.Server; url: string };
let httpStandIn: { server: http.Server; url: string };
let runtimeStandIn: { server: http2.Http2Server; url: string };
let stage: StageUnderTest;
const env = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  motoUrl = moto.url;

  // Stand-in for the Bedrock control-plane calls moto lacks, Cost Explorer and Bedrock Runtime's Converse.
  bedrockStandIn = await listen(async (req, res) => {
    const buf = await body(req);
    const url = new URL(req.url!, "http://x");
    const target = String(req.headers["x-amz-target"] ?? "");
    if (target.endsWith(".ListCostAllocationTags") && state.costTagsDenied) {
      res.setHeader("x-amzn-errortype", "AccessDeniedException");
      return json(res, 400, { __type: "AccessDeniedException", message: "User is not authorized to perform ce:ListCostAllocationTags" });
    }
    if (target.endsWith(".ListCostAllocationTags")) {
      const keys = (JSON.parse(buf.toString()) as { TagKeys: string[] }).TagKeys;
      return json(res, 200, {
        CostAllocationTags: keys
          .filter((k) => state.costTags[k])
          .map((k) => ({ TagKey: k, Type: "UserDefined", Status: state.costTags[k] })),
      });
    }
    const profileMatch = /^\/inference-profiles\/(.+)$/.exec(url.pathname);
    if (req.method === "GET" && profileMatch) {
      const arn = decodeURIComponent(profileMatch[1]!);
      const p = state.profiles.get(arn);
      if (!p) return json(res, 404, { message: `Inference profile ${arn} not found` });
      res.setHeader("x-amzn-errortype", "");
      return json(res, 200, {
        inferenceProfileArn: arn,
        inferenceProfileId: arn.split("/").pop(),
        inferenceProfileName: p.name,
        status: "ACTIVE",
        type: "APPLICATION",
        models: p.models.map((m) => ({ modelArn: m })),
      });
    }
    if (req.method === "POST" && url.pathname === "/listTagsForResource") {
      const arn = (JSON.parse(buf.toString()) as { resourceARN: string }).resourceARN;
      const p = state.profiles.get(arn);
      if (p) return json(res, 200, { tags: Object.entries(p.tags).map(([key, value]) => ({ key, value })) });
    }
    // Everything else (model invocation logging configuration) is moto's.
    const forwarded = await fetch(`${motoUrl}${req.url}`, {
      method: req.method!,
      headers: req.headers as Record<string, string>,
      ...(buf.length ? { body: buf } : {}),
    });
    let out = Buffer.from(await forwarded.arrayBuffer());
    // moto confirms every subscription at once; real email subscriptions wait for the recipient's click
    // and are listed with SubscriptionArn "PendingConfirmation".
    const query = new URLSearchParams(buf.toString());
    if (state.pendingTopic && query.get("Action") === "ListSubscriptionsByTopic" && query.get("TopicArn") === state.pendingTopic) {
      out = Buffer.from(
        out
          .toString()
          .replace(/<SubscriptionArn>arn:aws:sns:[^<]+<\/SubscriptionArn>/g, "<SubscriptionArn>PendingConfirmation</SubscriptionArn>"),
      );
    }
    const headers = Object.fromEntries(
      [...forwarded.headers].filter(([k]) => k !== "content-length" && k !== "content-encoding" && k !== "transfer-encoding"),
    );
    res.writeHead(forwarded.status, headers);
    res.end(out);
  });
  // Bedrock Runtime's client speaks HTTP/2: its stand-in is a cleartext HTTP/2 server answering Converse.
  const h2 = http2.createServer((req, res) => {
    void body(req as unknown as http.IncomingMessage).then(() => {
      if (req.method === "POST" && /^\/model\/.+\/converse$/.test(req.url)) {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(
          JSON.stringify({
            output: { message: { role: "assistant", content: [{ text: "OK" }] } },
            stopReason: "max_tokens",
            usage: { inputTokens: 4, outputTokens: 1, totalTokens: 5 },
            metrics: { latencyMs: 10 },
          }),
        );
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => h2.listen(0, "127.0.0.1", r));
  runtimeStandIn = { server: h2, url: `http://127.0.0.1:${(h2.address() as AddressInfo).port}` };
  httpStandIn = await listen((req, res) => {
    if (req.url === "/idp/.well-known/openid-configuration")
      return json(res, 200, { issuer: state.discoveryIssuer, jwks_uri: `${state.issuer}/keys` });
    if (req.url === "/otel/v1/metrics") {
      res.writeHead(state.collectorStatus);
      return res.end();
    }
    if (req.url === "/quota/check") {
      res.writeHead(state.quotaStatus);
      return res.end();
    }
    res.writeHead(404);
    res.end();
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: motoUrl,
    AWS_ENDPOINT_URL_BEDROCK: bedrockStandIn.url,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: runtimeStandIn.url,
    AWS_ENDPOINT_URL_COST_EXPLORER: bedrockStandIn.url,
    AWS_ENDPOINT_URL_SNS: bedrockStandIn.url,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: REGION,
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}, 60_000);

afterAll(async () => {
  await moto?.close();
  await Promise.all([bedrockStandIn, httpStandIn, runtimeStandIn].filter(Boolean).map((s) => new Promise((r) => s.server.close(r))));
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
});

const cfg = { region: REGION };
const iam = () => new IAMClient(cfg);
// Bedrock's control plane straight to moto (the stand-in forwards the logging calls there anyway).
const bedrock = () => new BedrockClient({ ...cfg, endpoint: motoUrl });
const cloudwatch = () => new CloudWatchClient(cfg);

type AlarmMetric = Pick<
  PutMetricAlarmCommandInput,
  "Namespace" | "MetricName" | "Statistic" | "Period" | "Threshold" | "ComparisonOperator"
>;
const putAlarm = (name: string, metric: AlarmMetric, actions: string[]) =>
  cloudwatch().send(new PutMetricAlarmCommand({ AlarmName: name, EvaluationPeriods: 1, ...metric, AlarmActions: actions }));
/** Keeps the alarm as it is but for whom it notifies. */
async function setAlarmActions(name: string, actions: string[]): Promise<void> {
  const [a] = (await cloudwatch().send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms!;
  const { Namespace, MetricName, Statistic, Period, Threshold, ComparisonOperator } = a!;
  await putAlarm(name, { Namespace, MetricName, Statistic, Period, Threshold, ComparisonOperator }, actions);
}
async function deleteAlarm(name: string): Promise<void> {
  await cloudwatch().send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
}
const setUserRoleTrust = (statements: object[]) =>
  iam().send(
    new UpdateAssumeRolePolicyCommand({
      RoleName: "ccb-pilot-users",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
    }),
  );

/** Creates everything a healthy pilot stage has, as the Pulumi program would. */
async function seedHealthyStage(): Promise<StageUnderTest> {
  await moto.reset();
  const issuer = `${httpStandIn.url}/idp`;
  const clientId = "0oa1pilotclientid";
  const prefix = "ccb-pilot";
  const provider = await iam().send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: [clientId] }));
  const issuerKey = issuer.replace(/^https?:\/\//, "");
  const boundary = await iam().send(
    new CreatePolicyCommand({
      PolicyName: `${prefix}-developer-boundary`,
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource: "*" }],
      }),
    }),
  );
  const role = await iam().send(
    new CreateRoleCommand({
      RoleName: `${prefix}-users`,
      PermissionsBoundary: boundary.Policy!.Arn!,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: provider.OpenIDConnectProviderArn },
            Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
            Condition: { StringEquals: { [`${issuerKey}:aud`]: clientId } },
          },
        ],
      }),
    }),
  );
  const bucket = `${prefix}-invocation-logs-abc123`;
  const logGroup = `/aws/bedrock/${prefix}/model-invocations`;
  await new S3Client({ ...cfg, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
  await new CloudWatchLogsClient(cfg).send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  await bedrock().send(
    new PutModelInvocationLoggingConfigurationCommand({
      loggingConfig: {
        textDataDeliveryEnabled: false,
        imageDataDeliveryEnabled: false,
        embeddingDataDeliveryEnabled: false,
        s3Config: { bucketName: bucket, keyPrefix: "" },
        cloudWatchConfig: { logGroupName: logGroup, roleArn: `arn:aws:iam::${ACCOUNT}:role/${prefix}-log-delivery` },
      },
    }),
  );

  // Team profiles copy the us. system profiles: they route to the model in three US Regions.
  const route = (m: string) => ["us-east-1", "us-east-2", "us-west-2"].map((r) => `arn:aws:bedrock:${r}::foundation-model/${m}`);
  const profiles: Record<string, Record<string, string>> = {};
  state = {
    profiles: new Map(),
    costTags: { team: "Active", "cost-center": "Active" },
    issuer,
    discoveryIssuer: issuer,
    collectorStatus: 401,
    quotaStatus: 401,
  };
  for (const [team, cc] of [
    ["platform", "CC-1001"],
    ["payments", "CC-2001"],
  ] as const) {
    profiles[team] = {};
    for (const [r, m] of [
      ["primary", PRIMARY],
      ["fast", FAST],
    ] as const) {
      const arn = `arn:aws:bedrock:${REGION}:${ACCOUNT}:application-inference-profile/${team}${r}`;
      profiles[team]![r] = arn;
      state.profiles.set(arn, { name: `${prefix}-${team}-${r}`, models: route(m), tags: { team, "cost-center": cc, "model-role": r } });
    }
  }

  // Collector: an ALB with one healthy (registered) task behind it.
  const ec2Subnets = await fetch(`${motoUrl}/?Action=DescribeSubnets&Version=2016-11-15`, {
    headers: { authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0` },
  }).then((r) => r.text());
  const subnets = [...ec2Subnets.matchAll(/<subnetId>(subnet-[0-9a-z]+)<\/subnetId>/g)].map((m) => m[1]!).slice(0, 2);
  const vpcId = /<vpcId>(vpc-[0-9a-z]+)<\/vpcId>/.exec(ec2Subnets)![1]!;
  const elb = new ElasticLoadBalancingV2Client(cfg);
  const lb = (
    await elb.send(
      new CreateLoadBalancerCommand({ Name: `${prefix}-otel`, Subnets: subnets, Scheme: "internet-facing", Type: "application" }),
    )
  ).LoadBalancers![0]!;
  const tg = (
    await elb.send(new CreateTargetGroupCommand({ Name: `${prefix}-otel`, Protocol: "HTTP", Port: 4318, VpcId: vpcId, TargetType: "ip" }))
  ).TargetGroups![0]!;
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn!,
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroupArn! }],
    }),
  );
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn!, Targets: [{ Id: "10.80.1.10", Port: 4318 }] }));

  // Quota tables with point-in-time recovery.
  const ddb = new DynamoDBClient(cfg);
  const tables = [`${prefix}-quota-limits`, `${prefix}-quota-usage`];
  for (const t of tables) {
    await ddb.send(
      new CreateTableCommand({
        TableName: t,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }),
    );
    await ddb.send(
      new UpdateContinuousBackupsCommand({ TableName: t, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
    );
  }

  // Alarm and quota topics with confirmed subscriptions; alarms notify the alarm topic; the dashboard.
  const sns = new SNSClient(cfg);
  const alarmTopic = (await sns.send(new CreateTopicCommand({ Name: `${prefix}-alarms` }))).TopicArn!;
  const quotaTopic = (await sns.send(new CreateTopicCommand({ Name: `${prefix}-quota-alerts` }))).TopicArn!;
  for (const t of [alarmTopic, quotaTopic])
    await sns.send(new SubscribeCommand({ TopicArn: t, Protocol: "email", Endpoint: "platform-alerts@example.com" }));
  const alarmNames = [`${prefix}-throttles`, `${prefix}-server-errors`];
  // The telemetry alarms (one account here, as in the pilot: they notify the stage's alarm topic).
  const telemetryAlarmNames = [`${prefix}-no-healthy-collector`, `${prefix}-negative-cache-savings`];
  const alarms: Array<[string[], AlarmMetric]> = [
    [
      alarmNames,
      {
        Namespace: "AWS/Bedrock",
        MetricName: "InvocationThrottles",
        Statistic: "Sum",
        Period: 300,
        Threshold: 5,
        ComparisonOperator: "GreaterThanThreshold",
      },
    ],
    [
      telemetryAlarmNames,
      {
        Namespace: "AWS/ApplicationELB",
        MetricName: "HealthyHostCount",
        Statistic: "Minimum",
        Period: 60,
        Threshold: 1,
        ComparisonOperator: "LessThanThreshold",
      },
    ],
  ];
  for (const [names, metric] of alarms) for (const a of names) await putAlarm(a, metric, [alarmTopic]);
  await cloudwatch().send(
    new PutDashboardCommand({ DashboardName: `${prefix}-telemetry`, DashboardBody: JSON.stringify({ widgets: [] }) }),
  );

  return {
    stage: "pilot",
    region: REGION,
    issuer,
    clientId,
    awsProfile: "claude-bedrock-pilot",
    federationMode: "direct",
    models: { primary: `us.${PRIMARY}`, fast: `us.${FAST}` },
    userRoleArn: role.Role!.Arn!,
    userRoleBoundaryArn: boundary.Policy!.Arn!,
    oidcProviderArn: provider.OpenIDConnectProviderArn!,
    alarmTopicArn: alarmTopic,
    alarmNames,
    teamInferenceProfiles: profiles,
    invocationLogGroup: logGroup,
    invocationLogBucket: bucket,
    telemetryEndpoint: `${httpStandIn.url}/otel`,
    telemetryLoadBalancerDnsName: lb.DNSName!,
    telemetryDashboard: `${prefix}-telemetry`,
    telemetryAlarmNames,
    quotaCheckUrl: `${httpStandIn.url}/quota/check`,
    quotaTables: tables,
    quotaAlertTopicArn: quotaTopic,
  };
}

const failures = (rs: readonly CheckResult[]) => rs.filter((r) => !r.ok).map((r) => r.check);

describe("verify against a moto-seeded stage", () => {
  beforeEach(async () => {
    stage = await seedHealthyStage();
  }, 60_000);

  it("passes every check on a healthy stage", async () => {
    const results = await verifyStage(stage);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    // Each area was really checked, not skipped.
    for (const name of [
      "oidc-provider url",
      "oidc-provider audience",
      "oidc-provider discovery",
      "user-role trust",
      "user-role boundary",
      "invocation-logging",
      "inference-profile platform/primary",
      "inference-profile payments/fast tags",
      "cost-allocation-tags",
      "collector targets",
      "collector auth",
      "quota api auth",
      "dashboard",
      "alarms",
      "telemetry-alarms",
    ]) {
      expect(results.map((r) => r.check)).toContain(name);
    }
  });

  // [what is broken, the one check that must FAIL, the break, optionally what its fix must say]
  const breaks: Array<[string, string, () => Promise<void>, RegExp?]> = [
    [
      "the provider lost the helper's client id",
      "oidc-provider audience",
      async () => {
        // moto has no Add/RemoveClientID: recreate the provider (same ARN) with another audience.
        await iam().send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: stage.oidcProviderArn! }));
        await iam().send(new CreateOpenIDConnectProviderCommand({ Url: stage.issuer, ClientIDList: ["someone-else"] }));
      },
    ],
    [
      "the IdP's discovery names another issuer",
      "oidc-provider discovery",
      async () => {
        state.discoveryIssuer = "https://other.example.com/oauth2/default";
      },
    ],
    [
      "a pinned thumbprint no longer matches the IdP's chain",
      "oidc-provider thumbprint",
      async () => {
        await iam().send(
          new UpdateOpenIDConnectProviderThumbprintCommand({
            OpenIDConnectProviderArn: stage.oidcProviderArn!,
            ThumbprintList: ["a".repeat(40)],
          }),
        );
      },
    ],
    [
      "the role trusts another provider",
      "user-role trust",
      async () => {
        await setUserRoleTrust([
          {
            Effect: "Allow",
            Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/evil.example.com` },
            Action: "sts:AssumeRoleWithWebIdentity",
          },
        ]);
      },
    ],
    [
      "the role trusts an extra principal",
      "user-role trust",
      async () => {
        const issuerKey = stage.issuer.replace(/^https?:\/\//, "");
        await setUserRoleTrust([
          {
            Effect: "Allow",
            Principal: { Federated: stage.oidcProviderArn },
            Action: ["sts:AssumeRoleWithWebIdentity"],
            Condition: { StringEquals: { [`${issuerKey}:aud`]: stage.clientId } },
          },
          { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" },
        ]);
      },
    ],
    [
      "the role's boundary was removed",
      "user-role boundary",
      async () => {
        await iam().send(new DeleteRolePermissionsBoundaryCommand({ RoleName: "ccb-pilot-users" }));
      },
    ],
    [
      "invocation logging is off",
      "invocation-logging",
      async () => {
        await bedrock().send(new DeleteModelInvocationLoggingConfigurationCommand({}));
      },
    ],
    [
      "another stack owns invocation logging",
      "invocation-logging",
      async () => {
        await bedrock().send(
          new PutModelInvocationLoggingConfigurationCommand({
            loggingConfig: { s3Config: { bucketName: "other-stack-logs", keyPrefix: "" } },
          }),
        );
      },
    ],
    [
      "the invocation log group was deleted",
      "invocation-logging log group",
      async () => {
        await new CloudWatchLogsClient(cfg).send(new DeleteLogGroupCommand({ logGroupName: stage.invocationLogGroup! }));
      },
    ],
    [
      "a team profile routes to another model",
      "inference-profile platform/primary",
      async () => {
        state.profiles.get(stage.teamInferenceProfiles.platform!.primary!)!.models = [
          `arn:aws:bedrock:${REGION}::foundation-model/${FAST}`,
        ];
      },
    ],
    [
      "a team profile lost its cost-center tag",
      "inference-profile payments/fast tags",
      async () => {
        delete state.profiles.get(stage.teamInferenceProfiles.payments!.fast!)!.tags["cost-center"];
      },
    ],
    [
      "a team profile was deleted",
      "inference-profile payments/primary",
      async () => {
        state.profiles.delete(stage.teamInferenceProfiles.payments!.primary!);
      },
    ],
    [
      "the cost-allocation tag is not active",
      "cost-allocation-tags",
      async () => {
        state.costTags["cost-center"] = "Inactive";
      },
    ],
    [
      "the caller cannot read cost-allocation tags (member account)",
      "cost-allocation-tags",
      async () => {
        state.costTagsDenied = true;
      },
      /management \(payer\) account/,
    ],
    [
      "the collector has no registered target",
      "collector targets",
      async () => {
        const elb = new ElasticLoadBalancingV2Client(cfg);
        const { DescribeTargetGroupsCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
        const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ["ccb-pilot-otel"] }))).TargetGroups![0]!;
        await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn!, Targets: [{ Id: "10.80.1.10", Port: 4318 }] }));
      },
    ],
    [
      "the collector accepts requests without a token",
      "collector auth",
      async () => {
        state.collectorStatus = 200;
      },
    ],
    [
      "the dashboard was deleted",
      "dashboard",
      async () => {
        await cloudwatch().send(new DeleteDashboardsCommand({ DashboardNames: [stage.telemetryDashboard!] }));
      },
    ],
    [
      "the quota API accepts requests without a token",
      "quota api auth",
      async () => {
        state.quotaStatus = 200;
      },
    ],
    [
      "point-in-time recovery is off on the limits table",
      "quota table ccb-pilot-quota-limits",
      async () => {
        await new DynamoDBClient(cfg).send(
          new UpdateContinuousBackupsCommand({
            TableName: "ccb-pilot-quota-limits",
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
          }),
        );
      },
    ],
    [
      "the usage table was deleted",
      "quota table ccb-pilot-quota-usage",
      async () => {
        await new DynamoDBClient(cfg).send(new DeleteTableCommand({ TableName: "ccb-pilot-quota-usage" }));
      },
    ],
    [
      "the quota alert subscription is not confirmed",
      "subscriptions ccb-pilot-quota-alerts",
      async () => {
        state.pendingTopic = stage.quotaAlertTopicArn!;
      },
    ],
    [
      "the alarm topic has no subscriber",
      "subscriptions ccb-pilot-alarms",
      async () => {
        const sns = new SNSClient(cfg);
        for (const sub of (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: stage.alarmTopicArn! }))).Subscriptions ?? [])
          await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn! }));
      },
    ],
    // Each alarm set, the stage's and the telemetry's, must fail when one alarm is gone or silent.
    ...(
      [
        ["alarms", "an alarm", "ccb-pilot-throttles", "ccb-pilot-server-errors"],
        ["telemetry-alarms", "a telemetry alarm", "ccb-pilot-no-healthy-collector", "ccb-pilot-negative-cache-savings"],
      ] as const
    ).flatMap(([check, which, deleted, silenced]): Array<[string, string, () => Promise<void>]> => [
      [`${which} was deleted`, check, () => deleteAlarm(deleted)],
      [`${which} no longer notifies the topic`, check, () => setAlarmActions(silenced, [])],
    ]),
  ];
  for (const [what, check, breakIt, fix] of breaks) {
    it(`FAILs ${check} when ${what}`, async () => {
      await breakIt();
      const results = await verifyStage(stage, { tlsFingerprints: async () => ["b".repeat(40)] });
      expect(failures(results)).toEqual([check]);
      const failed = results.find((r) => !r.ok)!;
      expect(failed.fix).toBeTruthy();
      if (fix) expect(failed.fix).toMatch(fix);
    });
  }

  it("prod layout: the telemetry alarms must notify the telemetry account's own topic, whose subscriptions are checked too", async () => {
    const sns = new SNSClient(cfg);
    const telemetryTopic = (await sns.send(new CreateTopicCommand({ Name: "ccb-pilot-telemetry-alarms" }))).TopicArn!;
    const prodLike = { ...stage, telemetryAlarmTopicArn: telemetryTopic };
    // The alarms still notify the stage topic, and nobody subscribed to the telemetry topic yet.
    const before = await verifyStage(prodLike);
    expect(failures(before)).toEqual(["telemetry-alarms", "subscriptions ccb-pilot-telemetry-alarms"]);
    expect(before.find((r) => r.check === "telemetry-alarms")!.detail).toContain(`not notifying ${telemetryTopic}`);
    await sns.send(new SubscribeCommand({ TopicArn: telemetryTopic, Protocol: "email", Endpoint: "platform-alerts@example.com" }));
    for (const name of stage.telemetryAlarmNames) await setAlarmActions(name, [telemetryTopic]);
    expect(failures(await verifyStage(prodLike))).toEqual([]);
  });

  it("--invoke makes a 1-token call with the developer's role session", async () => {
    const sts = new STSClient(cfg);
    const session = (await sts.send(new AssumeRoleCommand({ RoleArn: stage.userRoleArn!, RoleSessionName: "alice@example.com" })))
      .Credentials!;
    const userCredentials = async () => ({
      accessKeyId: session.AccessKeyId!,
      secretAccessKey: session.SecretAccessKey!,
      sessionToken: session.SessionToken!,
    });
    const results = await verifyStage(stage, { invoke: true, userCredentials });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.find((r) => r.check === "invoke")?.detail).toMatch(
      /assumed-role\/ccb-pilot-users\/alice@example.com invoked .*: 4 in \/ 1 out tokens/,
    );
  });

  it("npm run verify -- --outputs <file>: exit 0 on the healthy stage, exit 1 naming the broken resource", async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "verify-")), "outputs.json");
    // The document `pulumi stack output --json` prints for this stage.
    writeFileSync(
      file,
      JSON.stringify({
        helperSettings: {
          stage: stage.stage,
          region: stage.region,
          awsProfile: stage.awsProfile,
          identityProvider: { issuer: stage.issuer, clientId: stage.clientId },
          federation: { mode: "direct", roleArn: stage.userRoleArn },
          models: stage.models,
        },
        userRoleArn: stage.userRoleArn,
        userRoleBoundaryArn: stage.userRoleBoundaryArn,
        oidcProviderArn: stage.oidcProviderArn,
        alarmTopicArn: stage.alarmTopicArn,
        alarmNames: stage.alarmNames,
        teamInferenceProfiles: stage.teamInferenceProfiles,
        invocationLogGroup: stage.invocationLogGroup,
        invocationLogBucket: stage.invocationLogBucket,
        telemetryEndpoint: stage.telemetryEndpoint,
        telemetryLoadBalancerDnsName: stage.telemetryLoadBalancerDnsName,
        telemetryDashboard: stage.telemetryDashboard,
        telemetryAlarmNames: stage.telemetryAlarmNames,
        quotaCheckUrl: stage.quotaCheckUrl,
        quotaLimitsTable: stage.quotaTables[0],
        quotaUsageTable: stage.quotaTables[1],
        quotaAlertTopicArn: stage.quotaAlertTopicArn,
      }),
    );
    const cli = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"),
            path.join(repoRoot, "packages", "stage-verify", "src", "cli.ts"),
            "--outputs",
            file,
          ],
          { env: process.env, stdio: ["ignore", "pipe", "pipe"] },
        );
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
        });
        child.stderr.on("data", (d) => {
          out += d;
        });
        child.on("close", (code) => resolve({ code, out }));
      });
    const healthy = await cli();
    expect(healthy.out).toMatch(/all \d+ checks passed/);
    expect(healthy.code).toBe(0);
    await new DynamoDBClient(cfg).send(new DeleteTableCommand({ TableName: "ccb-pilot-quota-usage" }));
    const broken = await cli();
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/FAIL  quota table ccb-pilot-quota-usage: table ccb-pilot-quota-usage does not exist\n      fix: /);
  }, 60_000);

  it("--invoke FAILs when the profile is not a session of the user role", async () => {
    const results = await verifyStage(stage, {
      invoke: true,
      userCredentials: async () => ({ accessKeyId: "testing", secretAccessKey: "testing" }),
    });
    expect(failures(results)).toEqual(["invoke"]);
  });
});
