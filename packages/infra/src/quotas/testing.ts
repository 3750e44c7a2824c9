/**
 * Test-only: what the QuotaService tests share (mock engine, a prod-like stage's args, policy and
 * environment readers). Imported by `*.test.ts` files only; the component never imports it.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { inputsOf, policyOf, type RecordedResource, type ResourceRecorder, statementBySid, type StatementJson } from "../testing";
import type * as Rules from "../rules";
import { useMockedSuite } from "../testing/suite";
import type * as Quotas from "./index";
import { pricingTable } from "./pricing";

export const ACCOUNT = "111111111111";
export const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0f9e8d7c-6b5a-4321-9876-abcdef012345`;
export const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:ccb-prod-alarms`;
export const LOG_BUCKET_ARN = "arn:aws:s3:::ccb-prod-invocation-logs";
export const BOUNDARY = "arn:aws:iam::111111111111:policy/ccb-test-workload-boundary";
const FUNCTION = "aws:lambda/function:Function";

/** A stand-in Lambda bundle: the tests look at the infrastructure around the code, never at the code. */
export const code = {
  archive: new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.StringAsset("export const handler = async () => ({});") }),
  handler: "index.handler",
};

/** A prod stage with every optional feature off: each test switches on what it looks at. */
export function quotaServiceArgs(over: Partial<Quotas.QuotaServiceArgs> = {}): Quotas.QuotaServiceArgs {
  return {
    namePrefix: "ccb-prod",
    stage: "prod",
    kmsKeyArn: KEY,
    code: { aggregate: code, check: code },
    defaults: { monthlyCostUsd: 200, dailyCostUsd: 30, monthlyMode: "block", dailyMode: "alert" },
    thresholds: [80, 90, 100],
    enforceOn: "max",
    pricing: pricingTable(),
    alertEmails: ["finops@example.com", "platform@example.com"],
    sources: {
      telemetry: {
        namespace: "ClaudeCode",
        metricName: "claude_code.token.usage",
        userDimension: "user.email",
        typeDimension: "type",
        modelDimension: "model",
      },
      invocationLogs: {
        bucketName: "ccb-prod-invocation-logs",
        bucketArn: LOG_BUCKET_ARN,
        keyPrefix: "",
        roleName: "ccb-prod-bedrock-users",
      },
    },
    block: { roleName: "ccb-prod-bedrock-users", policyCount: 2, key: "session-name" },
    checkApi: {
      authorization: "jwt",
      issuerUrl: "https://example.okta.com/oauth2/default",
      audiences: ["0oa1prodclient"],
      emailClaim: "email",
      groupsClaims: ["groups"],
      missingIdentity: "block",
      throttle: { rateLimit: 50, burstLimit: 100 },
      reservedConcurrency: 20,
    },
    drift: { thresholdPercent: 20, minTokens: 100_000 },
    alarmTopicArn: TOPIC,
    logRetentionDays: 365,
    usageRetentionDays: 400,
    settleMinutes: 10,
    deletionProtection: true,
    permissionsBoundaryArn: BOUNDARY,
    tags: { stage: "prod" },
    ...over,
  };
}

/** The statements of a recorded (role or topic) policy. */
export const statements = (r: RecordedResource): StatementJson[] => policyOf(r.inputs.policy)!.Statement;
/** The statement with this Sid (throws, listing the Sids there are, when it is missing). */
export const bySid = (r: RecordedResource, sid: string): StatementJson => statementBySid(statements(r), sid);
/** The Sids of a recorded policy, in order. */
export const sidsOf = (r: RecordedResource): (string | undefined)[] => statements(r).map((s) => s.Sid);

export interface QuotaMocks {
  readonly recorder: ResourceRecorder;
  readonly quotas: typeof Quotas;
  readonly rules: typeof Rules;
  /** The one recorded resource of this type and name. */
  one(type: string, name: string): RecordedResource;
  /** The environment variables the named function is given. */
  envOf(functionName: string): Record<string, string>;
}

/** The shared suite (mocks, recorder, rules) with the quota module under test and its readers. */
export function useQuotaMocks(): QuotaMocks {
  const suite = useMockedSuite(() => import("./index.js"), { accountId: ACCOUNT, region: "us-east-1" });
  const mocks: QuotaMocks = {
    get recorder() {
      return suite.recorder;
    },
    get quotas() {
      return suite.module;
    },
    get rules() {
      return suite.rules;
    },
    one: (type, name) => suite.recorder.one(type, name),
    envOf: (name) => inputsOf<aws.lambda.FunctionArgs>(mocks.one(FUNCTION, name), FUNCTION).environment?.variables ?? {},
  };
  return mocks;
}
