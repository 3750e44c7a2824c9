import type * as aws from "@pulumi/aws";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { at, inputsOf, installMocks, policyOf, type ResourceRecorder, settle, statementBySid, unwrap } from "../testing";
import type * as Rules from "../rules";
import type * as Inference from "./index";
import { expectEveryRoleBounded } from "../testing/suite";

let recorder: ResourceRecorder;
let inference: typeof Inference;
let rules: typeof Rules;

beforeAll(async () => {
  recorder = await installMocks({ accountId: "111111111111", region: "us-east-1" });
  inference = await import("./index.js");
  rules = await import("../rules/index.js");
});
beforeEach(() => recorder.clear());

const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0";
const BOUNDARY = "arn:aws:iam::111111111111:policy/ccb-test-workload-boundary";
const baseArgs = (): Inference.InferenceAccountArgs => ({
  namePrefix: "ccb-test",
  region: "us-east-1",
  models: { primary: SONNET, fast: HAIKU },
  crossRegion: "us",
  teams: [{ name: "platform", costCenter: "CC-1", tags: { department: "eng" } }],
  invocationLogging: { enabled: true, logRetentionDays: 30, s3ExpirationDays: 90 },
  alarms: {
    emails: ["ops@example.com"],
    throttlesPer5Min: 5,
    serverErrorsPer5Min: 5,
    clientErrorsPer5Min: 20,
    latencyP90Ms: 30000,
    invocationsPerHour: 1000,
  },
  denyBedrockApiKeys: true,
  permissionsBoundaryArn: BOUNDARY,
});

describe("InferenceAccount", () => {
  it("puts the stage's permissions boundary on the log delivery role", async () => {
    const boundary = "arn:aws:iam::111111111111:policy/ccb-test-workload-boundary";
    const acct = new inference.InferenceAccount("inf", { ...baseArgs(), permissionsBoundaryArn: boundary });
    await unwrap(acct.alarmTopicArn);
    await settle();
    const roles = recorder.byType("aws:iam/role:Role");
    expect(roles.map((r) => r.name)).toEqual(["inf-log-delivery"]);
    expect(roles[0]!.inputs.permissionsBoundary).toBe(boundary);
  });

  it("creates the key, topic, logging, team profiles and alarms and nothing else", async () => {
    const acct = new inference.InferenceAccount("inf", baseArgs());
    await unwrap(acct.alarmTopicArn);
    await settle();
    const counts: Record<string, number> = {};
    for (const r of recorder.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    expect(counts).toEqual({
      "claude-code-bedrock:inference:InferenceAccount": 1,
      "aws:kms/key:Key": 1,
      "aws:kms/alias:Alias": 1,
      "aws:sns/topic:Topic": 1,
      "aws:sns/topicPolicy:TopicPolicy": 1,
      "aws:sns/topicSubscription:TopicSubscription": 1,
      "aws:bedrock/inferenceProfile:InferenceProfile": 2,
      "claude-code-bedrock:storage:SecureBucket": 1,
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
      "aws:s3/bucketVersioning:BucketVersioning": 1,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:iam/role:Role": 1,
      "aws:iam/rolePolicy:RolePolicy": 1,
      "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration": 1,
      "aws:cloudwatch/metricAlarm:MetricAlarm": 6,
    });
    // Every role the component creates carries the boundary it was given.
    expectEveryRoleBounded(recorder, BOUNDARY);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("tags each team profile for cost allocation and copies from the stage's cross-Region profile", async () => {
    new inference.InferenceAccount("inf", baseArgs());
    await settle();
    const primary = recorder.one("aws:bedrock/inferenceProfile:InferenceProfile", "inf-platform-primary");
    expect(primary.inputs.name).toBe("ccb-test-platform-primary");
    expect(primary.inputs.modelSource).toEqual({ copyFrom: `arn:aws:bedrock:us-east-1:111111111111:inference-profile/us.${SONNET}` });
    expect(primary.inputs.tags).toEqual({ department: "eng", team: "platform", "cost-center": "CC-1", "model-role": "primary" });
  });

  it("logs metadata only, to the encrypted bucket and the log group, through a role Bedrock can assume only for this account", async () => {
    new inference.InferenceAccount("inf", baseArgs());
    await settle();
    const LOGGING = "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration";
    const cfg = inputsOf<aws.bedrockmodel.InvocationLoggingConfigurationArgs>(
      recorder.one(LOGGING, "inf-invocation-logging"),
      LOGGING,
    ).loggingConfig;
    expect(cfg?.textDataDeliveryEnabled).toBe(false);
    expect(cfg?.imageDataDeliveryEnabled).toBe(false);
    expect(cfg?.s3Config?.bucketName).toBe("inf-invocation-logs");
    expect(cfg?.cloudwatchConfig?.logGroupName).toBe("/aws/bedrock/ccb-test/model-invocations");
    expect(cfg?.cloudwatchConfig?.largeDataDeliveryS3Config).toEqual({ bucketName: "inf-invocation-logs", keyPrefix: "large-data" });
    const logGroup = recorder.one("aws:cloudwatch/logGroup:LogGroup", "inf-invocation-logs");
    expect(logGroup.inputs.retentionInDays).toBe(30);
    expect(logGroup.inputs.kmsKeyId).toMatch(/^arn:aws:kms:/);
    const trust = policyOf(recorder.one("aws:iam/role:Role", "inf-log-delivery").inputs.assumeRolePolicy)!.Statement;
    expect(trust).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "bedrock.amazonaws.com" },
        Action: ["sts:AssumeRole"],
        Condition: {
          StringEquals: { "aws:SourceAccount": "111111111111" },
          ArnLike: { "aws:SourceArn": "arn:aws:bedrock:us-east-1:111111111111:*" },
        },
      },
    ]);
    const write = policyOf(recorder.one("aws:iam/rolePolicy:RolePolicy", "inf-log-delivery-write").inputs.policy)!.Statement;
    expect(write).toEqual([
      {
        Sid: "WriteInvocationLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [
          `${logGroup.inputs.name ? "arn:aws:logs:us-east-1:111111111111:log-group:/aws/bedrock/ccb-test/model-invocations" : ""}:log-stream:*`,
        ],
      },
    ]);
    const bucketPolicy = policyOf(recorder.one("aws:s3/bucketPolicy:BucketPolicy", "inf-invocation-logs-policy").inputs.policy)!.Statement;
    expect(bucketPolicy[1]).toEqual({
      Sid: "BedrockDeliversInvocationLogs",
      Effect: "Allow",
      Principal: { Service: "bedrock.amazonaws.com" },
      Action: ["s3:PutObject"],
      Resource: [
        "arn:aws:s3:::inf-invocation-logs/AWSLogs/111111111111/BedrockModelInvocationLogs/*",
        "arn:aws:s3:::inf-invocation-logs/large-data/AWSLogs/111111111111/BedrockModelInvocationLogs/*",
      ],
      Condition: {
        StringEquals: { "aws:SourceAccount": "111111111111" },
        ArnLike: { "aws:SourceArn": "arn:aws:bedrock:us-east-1:111111111111:*" },
      },
    });
  });

  it("alarms on throttles, errors, latency, volume and log delivery to the topic", async () => {
    new inference.InferenceAccount("inf", baseArgs());
    await settle();
    const alarms = recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms.map((a) => [a.name, a.inputs.metricName, a.inputs.threshold]).sort()).toEqual([
      ["inf-client-errors", "InvocationClientErrors", 20],
      ["inf-invocations", "Invocations", 1000],
      ["inf-latency", "InvocationLatency", 30000],
      ["inf-log-delivery", "ModelInvocationLogsCloudWatchDeliveryFailure", 1],
      ["inf-server-errors", "InvocationServerErrors", 5],
      ["inf-throttles", "InvocationThrottles", 5],
    ]);
    const topicArn = "arn:aws:sns:us-east-1:111111111111:inf-alarms";
    for (const a of alarms) {
      expect(a.inputs.namespace).toBe("AWS/Bedrock");
      expect(a.inputs.alarmActions).toEqual([topicArn]);
      expect(a.inputs.treatMissingData).toBe("notBreaching");
    }
    expect(recorder.one("aws:cloudwatch/metricAlarm:MetricAlarm", "inf-latency").inputs.extendedStatistic).toBe("p90");
  });

  it("grants developers invoke-only access and denies API keys when asked", async () => {
    const acct = new inference.InferenceAccount("inf", baseArgs());
    const g = acct.grants.invokeModels({ roleName: "devs", key: "developers" });
    await unwrap(g.policy.urn);
    await settle();
    const statements = policyOf(recorder.one("aws:iam/rolePolicy:RolePolicy", "inf-invoke-developers").inputs.policy)!.Statement;
    expect(statements.map((s) => [s.Sid, s.Effect, s.Action])).toEqual([
      ["InvokeThroughStageProfiles", "Allow", ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]],
      ["InvokeModelsBehindProfiles", "Allow", ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]],
      ["ReadStageProfiles", "Allow", ["bedrock:GetInferenceProfile"]],
      ["ListProfiles", "Allow", ["bedrock:ListInferenceProfiles"]],
      ["DenyBedrockApiKeys", "Deny", ["bedrock:CallWithBearerToken"]],
    ]);
    expect(recorder.one("aws:iam/rolePolicy:RolePolicy", "inf-invoke-developers").inputs.role).toBe("devs");
  });

  it("with restrictTeamProfiles, grants each team's profiles only to sessions tagged with that team, system profiles to all", async () => {
    const acct = new inference.InferenceAccount("inf", {
      ...baseArgs(),
      teams: [
        { name: "platform", costCenter: "CC-1" },
        { name: "payments", costCenter: "CC-2" },
      ],
      restrictTeamProfiles: true,
    });
    const g = acct.grants.invokeModels({ roleName: "devs", key: "developers" });
    await unwrap(g.policy.urn);
    await settle();
    const profiles = recorder.byType("aws:bedrock/inferenceProfile:InferenceProfile");
    expect(profiles.map((p) => [p.name, at(p.inputs, "tags", "team")]).sort()).toEqual([
      ["inf-payments-fast", "payments"],
      ["inf-payments-primary", "payments"],
      ["inf-platform-fast", "platform"],
      ["inf-platform-primary", "platform"],
    ]);
    const teamArns = await Promise.all(
      ["platform", "payments"].flatMap((t) => (["primary", "fast"] as const).map((r) => unwrap(acct.teamProfiles[t]![r]!))),
    );
    const system = [SONNET, HAIKU].map((m) => `arn:aws:bedrock:us-east-1:111111111111:inference-profile/us.${m}`);
    const invoke = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];
    const policy = recorder.one("aws:iam/rolePolicy:RolePolicy", "inf-invoke-developers").inputs.policy;
    const statements = policyOf(policy)!.Statement;
    expect(statements.map((s) => s.Sid)).toEqual([
      "InvokeThroughSystemProfiles",
      "InvokeOwnTeamProfiles",
      "InvokeModelsBehindProfiles",
      "ReadStageProfiles",
      "ListProfiles",
      "DenyBedrockApiKeys",
    ]);
    expect(statements[0]).toEqual({ Sid: "InvokeThroughSystemProfiles", Effect: "Allow", Action: invoke, Resource: system });
    expect(statements[1]).toEqual({
      Sid: "InvokeOwnTeamProfiles",
      Effect: "Allow",
      Action: invoke,
      Resource: teamArns,
      Condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } },
    });
    expect(statements[2]?.Condition).toEqual({ StringEquals: { "bedrock:InferenceProfileArn": [...system, ...teamArns] } });
    const behindProfiles = statements[2]?.Resource;
    expect(Array.isArray(behindProfiles) && behindProfiles.every((r) => r.includes(":foundation-model/"))).toBe(true);
    // The rendered JSON carries the policy variable for IAM, not an interpolated value.
    expect(policy).toContain('"aws:ResourceTag/team":"${aws:PrincipalTag/team}"');
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("with the audit option, logs text to a bucket of its own whose key only Bedrock and the audit role use; the rule flags it as advisory", async () => {
    const acct = new inference.InferenceAccount("inf", {
      ...baseArgs(),
      invocationLogging: { ...baseArgs().invocationLogging, text: true },
    });
    await settle();
    const cfg = inputsOf<aws.bedrockmodel.InvocationLoggingConfigurationArgs>(
      recorder.one("aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration", "inf-invocation-logging"),
    ).loggingConfig;
    expect(cfg?.textDataDeliveryEnabled).toBe(true);
    expect(cfg?.s3Config?.bucketName).toBe("inf-invocation-audit");
    expect(cfg?.cloudwatchConfig?.largeDataDeliveryS3Config).toEqual({ bucketName: "inf-invocation-audit", keyPrefix: "large-data" });
    // No metadata-only bucket beside it: there is one logging configuration per account and Region.
    expect(recorder.byType("aws:s3/bucket:Bucket").map((b) => b.name)).toEqual(["inf-invocation-audit"]);
    const key = recorder.one("aws:kms/key:Key", "inf-audit-key");
    const sse = inputsOf<aws.s3.BucketServerSideEncryptionConfigurationArgs>(
      recorder.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "inf-invocation-audit-encryption",
      ),
    ).rules[0]?.applyServerSideEncryptionByDefault?.kmsMasterKeyId;
    expect(sse).toMatch(/:key\/inf-audit-key/);
    const statements = policyOf(key.inputs.policy)!.Statement;
    const decrypting = statements.filter((s) => [s.Action].flat().includes("kms:Decrypt"));
    expect(decrypting.map((s) => s.Principal)).toEqual([
      { Service: "bedrock.amazonaws.com" },
      { AWS: "arn:aws:iam::111111111111:role/ccb-test-invocation-audit" },
    ]);
    // The account administers the key but cannot grant decryption through IAM.
    const root = statementBySid(statements, "AccountAdministers");
    expect([root.Action].flat()).not.toContain("kms:Decrypt");
    const read = policyOf(recorder.one("aws:iam/rolePolicy:RolePolicy", "inf-invocation-audit-read").inputs.policy)!.Statement;
    expect(read.flatMap((s) => [s.Action].flat()).sort()).toEqual(["kms:Decrypt", "s3:GetObject", "s3:ListBucket"]);
    expect(recorder.one("aws:iam/role:Role", "inf-invocation-audit").inputs.permissionsBoundary).toBe(BOUNDARY);
    expect(await unwrap(acct.invocationLogs!.audit!.roleArn)).toMatch(/role\/ccb-test-invocation-audit$/);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
    expect(rules.advisoriesOf(recorder.resources)).toEqual([
      expect.objectContaining({ rule: "bedrock-invocation-text-logged", resource: "inf-invocation-logging", severity: "advisory" }),
    ]);
  });

  it("without the audit option nothing is advisory", async () => {
    new inference.InferenceAccount("inf", baseArgs());
    await settle();
    expect(rules.advisoriesOf(recorder.resources)).toEqual([]);
  });

  it("skips logging resources when logging is off", async () => {
    new inference.InferenceAccount("quiet", {
      ...baseArgs(),
      invocationLogging: { enabled: false, logRetentionDays: 30, s3ExpirationDays: 90 },
    });
    await settle();
    expect(recorder.byType("aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration")).toHaveLength(0);
    expect(recorder.byType("aws:s3/bucket:Bucket")).toHaveLength(0);
    expect(recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm")).toHaveLength(5);
  });

  it.each([
    [{ models: { primary: "anthropic.claude-v2", fast: HAIKU } }, /`models.primary` "anthropic.claude-v2" is not a known Claude model id/],
    [{ crossRegion: "eu" as const }, /"eu." profiles are not available from us-east-1/],
    [{ teams: [{ name: "Platform Team", costCenter: "x" }] }, /teams\[0\]\.name/],
    [
      {
        teams: [
          { name: "dup", costCenter: "x" },
          { name: "dup", costCenter: "y" },
        ],
      },
      /is repeated/,
    ],
    [{ teams: [{ name: "ok", costCenter: "a;b" }] }, /tag value "a;b"/],
    [{ teams: [], restrictTeamProfiles: true }, /`restrictTeamProfiles` needs at least one team in `teams`/],
  ])("rejects %j before creating anything", (override, message) => {
    expect(() => new inference.InferenceAccount("bad", { ...baseArgs(), ...override } as Inference.InferenceAccountArgs)).toThrowError(
      message,
    );
  });
});
