import { BedrockClient } from "@aws-sdk/client-bedrock";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CostExplorerClient } from "@aws-sdk/client-cost-explorer";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient } from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { StageUnderTest } from "../outputs";

export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  /** What was found (ok) or what is wrong (FAIL). */
  readonly detail: string;
  /** How to fix it (FAIL only). */
  readonly fix?: string;
}

export interface VerifyOptions {
  /** Also make a 1-token Converse call with the developer's profile (the user role). */
  readonly invoke?: boolean;
  /** Credentials of the user role for `invoke`; default: the helper's AWS profile from the stage settings. */
  readonly userCredentials?: AwsCredentialIdentityProvider;
  /**
   * Credentials for the telemetry account when it is not the inference account (prod layout): the
   * collector's load balancer and the dashboard live there. Default: the operator's credentials.
   */
  readonly telemetryCredentials?: AwsCredentialIdentityProvider;
  /** SHA-1 fingerprints (hex, lower case) of the certificates the IdP's TLS endpoint presents. */
  readonly tlsFingerprints?: (url: string) => Promise<string[]>;
  readonly fetch?: typeof fetch;
}

export const ok = (check: string, detail: string): CheckResult => ({ check, ok: true, detail });
export const fail = (check: string, detail: string, fix: string): CheckResult => ({ check, ok: false, detail, fix });
export const errText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
export const missingOutput = (check: string, key: string): CheckResult =>
  fail(
    check,
    `the stack has no output ${key}`,
    `run \`pulumi up\` with the current program (it exports ${key}), or the area is off in the stage file`,
  );

/** What every check reads: the stage's outputs, the options, one client per service, and fetch. */
export interface VerifyContext {
  readonly s: StageUnderTest;
  readonly opts: VerifyOptions;
  readonly cfg: { readonly region: string };
  readonly c: ReturnType<typeof clients>;
  readonly doFetch: typeof fetch;
}

function clients(cfg: { region: string }, opts: VerifyOptions) {
  const telemetryCfg = { ...cfg, ...(opts.telemetryCredentials ? { credentials: opts.telemetryCredentials } : {}) };
  return {
    iam: new IAMClient(cfg),
    bedrock: new BedrockClient(cfg),
    logs: new CloudWatchLogsClient(cfg),
    s3: new S3Client(cfg),
    elb: new ElasticLoadBalancingV2Client(telemetryCfg),
    ddb: new DynamoDBClient(cfg),
    cw: new CloudWatchClient(cfg),
    sns: new SNSClient(cfg),
    telemetryCw: new CloudWatchClient(telemetryCfg),
    telemetrySns: new SNSClient(telemetryCfg),
    // Cost Explorer has one endpoint, in us-east-1.
    ce: new CostExplorerClient({ region: "us-east-1" }),
  };
}

export function verifyContext(s: StageUnderTest, opts: VerifyOptions): VerifyContext {
  const cfg = { region: s.region };
  return { s, opts, cfg, c: clients(cfg, opts), doFetch: opts.fetch ?? fetch };
}
