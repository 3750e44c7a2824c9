import { GetMetricDataCommand, ListMetricsCommand, CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { gzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryLogger } from "../log.js";
import { windowOf } from "../periods.js";
import { hourPrefixes, InvocationLogSource, parseRecords, type InvocationRecord } from "./invocation-logs.js";
import { TelemetrySource } from "./telemetry.js";

const ACCOUNT = "111111111111";
const ROLE = "ccb-prod-bedrock-users";
const W = windowOf(Date.UTC(2026, 10, 26, 10, 45)); // 10:45–11:00

/** A record shaped like Bedrock's ModelInvocationLog (metadata only). */
const record = (
  at: string,
  session: string,
  tokens: { i: number; o: number; cr?: number; cw?: number },
  role = ROLE,
  modelId = "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
): InvocationRecord =>
  ({
    schemaType: "ModelInvocationLog",
    schemaVersion: "1.0",
    timestamp: at,
    accountId: ACCOUNT,
    identity: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}` },
    region: "us-east-1",
    requestId: "r",
    operation: "InvokeModelWithResponseStream",
    modelId,
    input: {
      inputContentType: "application/json",
      inputTokenCount: tokens.i,
      cacheReadInputTokenCount: tokens.cr ?? 0,
      cacheWriteInputTokenCount: tokens.cw ?? 0,
    },
    output: { outputContentType: "application/json", outputTokenCount: tokens.o },
  }) as InvocationRecord;

const gz = (records: InvocationRecord[]) => gzipSync(Buffer.from(records.map((r) => JSON.stringify(r)).join("\n") + "\n"));
/** The part of the SDK's streaming body the source uses. */
const body = (b: Buffer) => ({ transformToByteArray: async () => new Uint8Array(b) }) as never;

describe("invocation logs (the record users cannot forge)", () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  it("lists the hour folders a window's records can be in, including the next hour for late delivery", () => {
    expect(
      hourPrefixes(
        { prefix: "logs/", accountId: ACCOUNT, region: "us-east-1" },
        Date.UTC(2026, 10, 26, 10, 45),
        Date.UTC(2026, 10, 26, 11),
        10 * 60_000,
      ),
    ).toEqual([
      `logs/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/us-east-1/2026/11/26/10/`,
      `logs/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/us-east-1/2026/11/26/11/`,
    ]);
  });

  it("parses gzip and plain JSON lines and counts broken lines", () => {
    expect(parseRecords(gz([record("2026-11-26T10:50:00Z", "a@example.com", { i: 1, o: 1 })])).records).toHaveLength(1);
    expect(parseRecords(Buffer.from('{"a":1}\nnot json\n\n{"b":2}\n'))).toEqual({ records: [{ a: 1 }, { b: 2 }], bad: 1 });
  });

  it("sums server-counted tokens (incl. cache read/write) per user, by record time, only for the user role", async () => {
    const p10 = `AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/us-east-1/2026/11/26/10/`;
    const p11 = `AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/us-east-1/2026/11/26/11/`;
    s3.on(ListObjectsV2Command, { Prefix: p10 }).resolves({
      Contents: [
        { Key: `${p10}a.json.gz`, LastModified: new Date(Date.UTC(2026, 10, 26, 10, 55)) },
        { Key: `${p10}old.json.gz`, LastModified: new Date(Date.UTC(2026, 10, 26, 10, 5)) },
      ],
    });
    s3.on(ListObjectsV2Command, { Prefix: p11 }).resolves({
      Contents: [{ Key: `${p11}late.json.gz`, LastModified: new Date(Date.UTC(2026, 10, 26, 11, 4)) }],
    });
    s3.on(GetObjectCommand, { Key: `${p10}a.json.gz` }).callsFake(() => ({
      Body: body(
        gz([
          record("2026-11-26T10:50:00Z", "Alice@Example.com", { i: 100, o: 50, cr: 1000, cw: 10 }),
          record("2026-11-26T10:44:59Z", "alice@example.com", { i: 999, o: 999 }), // previous window
          record("2026-11-26T10:51:00Z", "build-42", { i: 5, o: 5 }, "ci-role"), // another role
          record("2026-11-26T10:52:00Z", "not-an-email", { i: 5, o: 5 }),
        ]),
      ),
    }));
    s3.on(GetObjectCommand, { Key: `${p11}late.json.gz` }).callsFake(() => ({
      Body: body(
        gz([record("2026-11-26T10:59:59Z", "alice@example.com", { i: 1, o: 1 }, ROLE, "anthropic.claude-haiku-4-5-20251001-v1:0")]),
      ),
    }));
    const log = memoryLogger();
    const src = new InvocationLogSource(
      new S3Client({ region: "us-east-1" }),
      { bucket: "logs", prefix: "", accountId: ACCOUNT, region: "us-east-1", roleName: ROLE, settleMs: 10 * 60_000 },
      log,
    );
    const usage = await src.read(W);
    expect([...usage.keys()]).toEqual(["alice@example.com"]);
    const alice = usage.get("alice@example.com")!;
    expect(Object.fromEntries(alice.models)).toEqual({
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0": { input: 100, output: 50, cacheRead: 1000, cacheWrite: 10 },
      "anthropic.claude-haiku-4-5-20251001-v1:0": { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 },
    });
    expect([...alice.sessions].sort()).toEqual(["Alice@Example.com", "alice@example.com"]);
    // The object delivered before the window began was not even fetched.
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).not.toContain(`${p10}old.json.gz`);
    expect(log.lines.at(-1)).toMatchObject({ msg: "invocation logs read", otherRole: 1, noEmail: 1, objects: 2 });
    // The renamed session is counted for the aggregation's metric (once), and warned about.
    expect(
      log.lines.find((l) => String(l.msg).startsWith("invocation logs of the user role with a session name that is not an email")),
    ).toMatchObject({ records: 1 });
    expect(src.takeUnattributed()).toBe(1);
    expect(src.takeUnattributed()).toBe(0);
  });
});

describe("client telemetry (CloudWatch metrics)", () => {
  const cw = mockClient(CloudWatchClient);
  beforeEach(() => cw.reset());
  const dims = (email: string, type: string, model?: string) => [
    { Name: "user.email", Value: email },
    { Name: "type", Value: type },
    ...(model ? [{ Name: "model", Value: model }] : []),
  ];

  it("sums the window of each {user, type, model} series, maps cacheCreation to cache write, skips roll-ups", async () => {
    cw.on(ListMetricsCommand).resolves({
      Metrics: [
        {
          Namespace: "ClaudeCode",
          MetricName: "claude_code.token.usage",
          Dimensions: dims("Bob@Example.com", "input", "claude-sonnet-4-5"),
        },
        {
          Namespace: "ClaudeCode",
          MetricName: "claude_code.token.usage",
          Dimensions: dims("bob@example.com", "cacheCreation", "claude-sonnet-4-5"),
        },
        { Namespace: "ClaudeCode", MetricName: "claude_code.token.usage", Dimensions: dims("bob@example.com", "input") }, // roll-up: skipped
        {
          Namespace: "ClaudeCode",
          MetricName: "claude_code.token.usage",
          Dimensions: dims("bob@example.com", "weird", "claude-sonnet-4-5"),
        },
      ],
    });
    cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: unknown[]; StartTime: Date; EndTime: Date }) => {
      expect(input.StartTime.toISOString()).toBe("2026-11-26T10:45:00.000Z");
      expect(input.EndTime.toISOString()).toBe("2026-11-26T11:00:00.000Z");
      expect(input.MetricDataQueries).toHaveLength(3);
      return {
        MetricDataResults: [
          { Id: "m0", Values: [120, 30] },
          { Id: "m1", Values: [500] },
          { Id: "m2", Values: [7] },
        ],
      };
    });
    const log = memoryLogger();
    const src = new TelemetrySource(
      new CloudWatchClient({ region: "us-east-1" }),
      {
        namespace: "ClaudeCode",
        metricName: "claude_code.token.usage",
        userDimension: "user.email",
        typeDimension: "type",
        modelDimension: "model",
      },
      log,
    );
    const usage = await src.read(W);
    expect(Object.fromEntries(usage.get("bob@example.com")!.models)).toEqual({
      "claude-sonnet-4-5": { input: 150, output: 0, cacheRead: 0, cacheWrite: 500 },
    });
    expect(log.lines.at(-1)).toMatchObject({ metrics: 3, unknownType: 1 });
  });
});

describe("telemetry in another account", () => {
  it("assumes the read role with its external id once and reuses the credentials until shortly before expiry", async () => {
    const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const { assumedRole } = await import("../aggregate/handler.js");
    const sts = mockClient(STSClient);
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: "ASIA1", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date(Date.now() + 15 * 60_000) },
    });
    const provider = assumedRole(
      new STSClient({ region: "us-east-1" }),
      "arn:aws:iam::333333333333:role/ccb-prod-quota-telemetry-read",
      "ccb-prod-quota-aggregate",
    );
    expect((await provider()).accessKeyId).toBe("ASIA1");
    await provider();
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: "arn:aws:iam::333333333333:role/ccb-prod-quota-telemetry-read",
        RoleSessionName: "quota-aggregate",
        DurationSeconds: 900,
        ExternalId: "ccb-prod-quota-aggregate",
      },
    ]);
  });
});

describe("client telemetry (Logs Insights over the collector's EMF log group)", () => {
  it("sums each type per user and model over the window, splitting a window that hits the row cap", async () => {
    const { CloudWatchLogsClient, StartQueryCommand, GetQueryResultsCommand } = await import("@aws-sdk/client-cloudwatch-logs");
    const { TelemetryLogsSource, ROW_CAP, tokenQuery } = await import("./telemetry-logs.js");
    const logs = mockClient(CloudWatchLogsClient);
    const o = {
      logGroupName: "/ccb/prod/telemetry/metrics",
      metricName: "claude_code.token.usage",
      userDimension: "user.email",
      typeDimension: "type",
      modelDimension: "model",
    };
    expect(tokenQuery(o, "cacheCreation")).toBe(
      'filter ispresent(`claude_code.token.usage`) and type = "cacheCreation" | stats sum(`claude_code.token.usage`) as tokens by `user.email`, model | limit 10000',
    );
    const starts: Array<{ queryString: string; startTime: number; endTime: number }> = [];
    logs.on(StartQueryCommand).callsFake((input: { queryString: string; startTime: number; endTime: number }) => {
      starts.push(input);
      return { queryId: `q${starts.length}` };
    });
    const row = (email: string, model: string, tokens: number) => [
      { field: "user.email", value: email },
      { field: "model", value: model },
      { field: "tokens", value: String(tokens) },
      { field: "@ptr", value: "x" },
    ];
    logs.on(GetQueryResultsCommand).callsFake((input: { queryId: string }) => {
      const q = starts[Number(input.queryId.slice(1)) - 1]!;
      const whole = q.endTime - q.startTime > 800;
      if (q.queryString.includes('"input"') && whole) {
        // The whole window reaches the cap: the source must split it.
        return { status: "Complete", results: Array.from({ length: ROW_CAP }, (_, i) => row(`u${i}@example.com`, "m", 1)) };
      }
      if (q.queryString.includes('"input"')) return { status: "Complete", results: [row("Bob@Example.com", "claude-sonnet-4-5", 100)] };
      if (q.queryString.includes('"cacheCreation"'))
        return { status: "Complete", results: [row("bob@example.com", "claude-sonnet-4-5", 40)] };
      return { status: "Complete", results: [] };
    });
    const src = new TelemetryLogsSource(new CloudWatchLogsClient({ region: "us-east-1" }), o, memoryLogger(), async () => undefined);
    const usage = await src.read(W);
    expect(Object.fromEntries(usage.get("bob@example.com")!.models)).toEqual({
      "claude-sonnet-4-5": { input: 200, output: 0, cacheRead: 0, cacheWrite: 40 },
    });
    const inputQueries = starts.filter((s) => s.queryString.includes('"input"'));
    expect(inputQueries.map((s) => [s.startTime, s.endTime])).toEqual([
      [Date.UTC(2026, 10, 26, 10, 45) / 1000, Date.UTC(2026, 10, 26, 11, 0) / 1000 - 1],
      [Date.UTC(2026, 10, 26, 10, 45) / 1000, Date.UTC(2026, 10, 26, 10, 52, 30) / 1000 - 1],
      [Date.UTC(2026, 10, 26, 10, 52, 30) / 1000, Date.UTC(2026, 10, 26, 11, 0) / 1000 - 1],
    ]);
  });
});
