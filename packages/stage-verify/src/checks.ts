import * as tls from "node:tls";
import {
  BedrockClient,
  GetInferenceProfileCommand,
  GetModelInvocationLoggingConfigurationCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-bedrock";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { CloudWatchClient, GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CostExplorerClient, ListCostAllocationTagsCommand } from "@aws-sdk/client-cost-explorer";
import { DescribeContinuousBackupsCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetOpenIDConnectProviderCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { alarmsNotify } from "./alarm-checks";
import type { StageUnderTest } from "./outputs";

/** A trust policy statement as IAM returns it (only the fields the checks read). */
interface TrustStatement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Principal?: { readonly Federated?: string | string[] };
  readonly Condition?: { readonly StringEquals?: Record<string, string | string[]> };
}

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

const ok = (check: string, detail: string): CheckResult => ({ check, ok: true, detail });
const fail = (check: string, detail: string, fix: string): CheckResult => ({ check, ok: false, detail, fix });
const errText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
const missingOutput = (check: string, key: string): CheckResult =>
  fail(
    check,
    `the stack has no output ${key}`,
    `run \`pulumi up\` with the current program (it exports ${key}), or the area is off in the stage file`,
  );

/** Runs every check; never throws (an unexpected error is that check's FAIL). */
export async function verifyStage(s: StageUnderTest, opts: VerifyOptions = {}): Promise<CheckResult[]> {
  const cfg = { region: s.region };
  const telemetryCfg = { ...cfg, ...(opts.telemetryCredentials ? { credentials: opts.telemetryCredentials } : {}) };
  const c = {
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
  const doFetch = opts.fetch ?? fetch;
  const guarded = async (check: string, run: () => Promise<CheckResult[]>): Promise<CheckResult[]> => {
    try {
      return await run();
    } catch (e) {
      return [
        fail(
          check,
          `could not check: ${errText(e)}`,
          "check that your credentials may read this resource (the ReadOnlyAccess managed policy covers every call) and that AWS_REGION/the stack's region is right",
        ),
      ];
    }
  };
  const results: CheckResult[] = [];
  const add = async (check: string, run: () => Promise<CheckResult[]>) => results.push(...(await guarded(check, run)));

  // ---- Federation ---------------------------------------------------------------------------
  await add("oidc-provider", async () => {
    const check = "oidc-provider";
    if (!s.oidcProviderArn) return [missingOutput(check, "oidcProviderArn")];
    const out: CheckResult[] = [];
    const p = await c.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: s.oidcProviderArn }));
    const want = s.issuer.replace(/^https?:\/\//, "").replace(/\/$/, "");
    const got = (p.Url ?? "").replace(/^https?:\/\//, "").replace(/\/$/, "");
    out.push(
      got === want
        ? ok(`${check} url`, `${s.oidcProviderArn} trusts ${got}`)
        : fail(
            `${check} url`,
            `the provider's URL is ${got}, the stage's issuer is ${want}`,
            "set identityProvider.issuer to exactly the `iss` of your id_tokens and run `pulumi up` (the provider is replaced)",
          ),
    );
    const audiences = s.federationMode === "direct" ? [s.clientId] : [s.clientId];
    const missingAud = audiences.filter((a) => !(p.ClientIDList ?? []).includes(a));
    out.push(
      missingAud.length === 0
        ? ok(`${check} audience`, `client id ${s.clientId} is an audience`)
        : fail(
            `${check} audience`,
            `client id ${missingAud.join(", ")} is not in the provider's audiences (${(p.ClientIDList ?? []).join(", ") || "none"})`,
            "set identityProvider.clientId to the helper's app registration and run `pulumi up`",
          ),
    );
    // The IdP's discovery document must name the same issuer, or every AssumeRoleWithWebIdentity fails.
    try {
      const res = await doFetch(`${s.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
      const doc = res.ok ? ((await res.json()) as { issuer?: string }) : undefined;
      const discovered = doc?.issuer;
      out.push(
        discovered === s.issuer
          ? ok(`${check} discovery`, `the IdP's discovery names issuer ${discovered}`)
          : fail(
              `${check} discovery`,
              doc
                ? `the IdP's discovery names issuer ${doc.issuer}, the stage says ${s.issuer}`
                : `the discovery document answered HTTP ${res.status}`,
              "copy `issuer` from the IdP's /.well-known/openid-configuration into identityProvider.issuer and run `pulumi up`",
            ),
      );
    } catch (e) {
      out.push(
        fail(
          `${check} discovery`,
          `cannot read ${s.issuer}/.well-known/openid-configuration: ${errText(e)}`,
          "check identityProvider.issuer and that this machine can reach the IdP",
        ),
      );
    }
    // AWS validates well-known IdPs against its own CA library and ignores thumbprints; a listed thumbprint
    // still has to match for other IdPs, so a stale one is reported.
    const thumbprints = (p.ThumbprintList ?? []).map((t) => t.toLowerCase());
    if (thumbprints.length === 0) {
      out.push(ok(`${check} thumbprint`, "no thumbprint pinned (AWS verifies the IdP's certificate with its trusted CAs)"));
    } else {
      let chain: string[] = [];
      try {
        chain = await (opts.tlsFingerprints ?? tlsChainFingerprints)(s.issuer);
      } catch (e) {
        chain = [];
        out.push(
          fail(
            `${check} thumbprint`,
            `cannot read the IdP's certificate chain: ${errText(e)}`,
            "check identityProvider.issuer (https) and that this machine can reach the IdP",
          ),
        );
      }
      if (chain.length)
        out.push(
          thumbprints.some((t) => chain.includes(t))
            ? ok(`${check} thumbprint`, "a pinned thumbprint matches the IdP's certificate chain")
            : fail(
                `${check} thumbprint`,
                `none of the pinned thumbprints (${thumbprints.join(", ")}) is in the IdP's certificate chain`,
                "the IdP rotated its CA: update the provider's thumbprint (`aws iam update-open-id-connect-provider-thumbprint`) or remove it",
              ),
        );
    }
    return out;
  });

  await add("user-role", async () => {
    const check = "user-role";
    if (!s.userRoleArn) return [missingOutput(check, "userRoleArn")];
    const name = s.userRoleArn.split("/").pop()!;
    const role = (await c.iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
    const doc = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument ?? "{}")) as { Statement?: TrustStatement | TrustStatement[] };
    const statements = ([] as TrustStatement[]).concat(doc.Statement ?? []);
    const wantPrincipal = s.federationMode === "direct" ? s.oidcProviderArn : "cognito-identity.amazonaws.com";
    const wantAud = s.federationMode === "direct" ? s.clientId : s.identityPoolId;
    const trusting = statements.filter(
      (st) =>
        st.Effect === "Allow" &&
        ([] as string[]).concat(st.Action ?? []).includes("sts:AssumeRoleWithWebIdentity") &&
        ([] as string[]).concat(st.Principal?.Federated ?? []).includes(wantPrincipal ?? ""),
    );
    const audOk = trusting.some((st) =>
      Object.entries(st.Condition?.StringEquals ?? {}).some(
        ([k, v]) => k.endsWith(":aud") && ([] as string[]).concat(v).includes(wantAud ?? ""),
      ),
    );
    const others = statements.filter((st) => st.Effect === "Allow" && !trusting.includes(st));
    const out: CheckResult[] = [];
    out.push(
      trusting.length > 0 && audOk && others.length === 0
        ? ok(`${check} trust`, `${role.RoleName} trusts only ${wantPrincipal} for audience ${wantAud}`)
        : fail(
            `${check} trust`,
            trusting.length === 0
              ? `${role.RoleName} does not trust ${wantPrincipal} for sts:AssumeRoleWithWebIdentity`
              : !audOk
                ? `${role.RoleName}'s trust does not require audience ${wantAud}`
                : `${role.RoleName}'s trust has ${others.length} extra Allow statement(s)`,
            "the role's trust policy was changed outside Pulumi: run `pulumi up` to restore it (`pulumi preview --diff` shows the drift)",
          ),
    );
    const boundary = role.PermissionsBoundary?.PermissionsBoundaryArn;
    if (!s.userRoleBoundaryArn) out.push(missingOutput(`${check} boundary`, "userRoleBoundaryArn"));
    else
      out.push(
        boundary === s.userRoleBoundaryArn
          ? ok(`${check} boundary`, `boundary ${boundary}`)
          : fail(
              `${check} boundary`,
              boundary
                ? `the role's boundary is ${boundary}, the stage declares ${s.userRoleBoundaryArn}`
                : "the role has no permissions boundary",
              "run `pulumi up` to restore the developer boundary; find who removed it in CloudTrail (DeleteRolePermissionsBoundary)",
            ),
      );
    return out;
  });

  // ---- Inference ----------------------------------------------------------------------------
  await add("invocation-logging", async () => {
    const check = "invocation-logging";
    if (!s.invocationLogGroup || !s.invocationLogBucket)
      return [missingOutput(check, !s.invocationLogGroup ? "invocationLogGroup" : "invocationLogBucket")];
    const cfgRes = (await c.bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}))).loggingConfig;
    if (!cfgRes)
      return [
        fail(
          check,
          `model invocation logging is off in ${s.region}`,
          "run `pulumi up` (inference.invocationLogging.enabled: true) — without it quotas cannot meter invocation logs and nobody can audit usage",
        ),
      ];
    const bucket = cfgRes.s3Config?.bucketName;
    const group = cfgRes.cloudWatchConfig?.logGroupName;
    const out: CheckResult[] = [];
    // The configuration is one per account and Region: another stack (or a console edit) pointing it elsewhere takes it over.
    out.push(
      bucket === s.invocationLogBucket && group === s.invocationLogGroup
        ? ok(check, `on, to s3://${bucket} and ${group}`)
        : fail(
            check,
            `the account's logging configuration points at ${bucket ? `s3://${bucket}` : "no bucket"} and ${group ?? "no log group"}, not this stage's s3://${s.invocationLogBucket} and ${s.invocationLogGroup}: another stack or a console edit owns it`,
            "the setting is one per account and Region: deploy only one stage per inference account and Region with invocationLogging.enabled, then `pulumi up` this stage",
          ),
    );
    const groups = await c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: s.invocationLogGroup }));
    out.push(
      groups.logGroups?.some((g) => g.logGroupName === s.invocationLogGroup)
        ? ok(`${check} log group`, `${s.invocationLogGroup} exists`)
        : fail(
            `${check} log group`,
            `log group ${s.invocationLogGroup} does not exist`,
            "run `pulumi refresh` then `pulumi up` to recreate it",
          ),
    );
    try {
      await c.s3.send(new HeadBucketCommand({ Bucket: s.invocationLogBucket }));
      out.push(ok(`${check} bucket`, `s3://${s.invocationLogBucket} exists`));
    } catch (e) {
      out.push(
        fail(
          `${check} bucket`,
          `s3://${s.invocationLogBucket}: ${errText(e)}`,
          "run `pulumi refresh` then `pulumi up` to recreate the bucket",
        ),
      );
    }
    return out;
  });

  const tagKeys = new Set<string>();
  for (const [team, roles] of Object.entries(s.teamInferenceProfiles)) {
    for (const [role, arn] of Object.entries(roles)) {
      const check = `inference-profile ${team}/${role}`;
      await add(check, async () => {
        const p = await c.bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: arn }));
        const out: CheckResult[] = [];
        const expected = s.models[role];
        // Application profiles copy a system cross-Region profile: they route to that model in each Region it names.
        const modelId = expected?.replace(/^(us|eu|apac|jp|au|us-gov|global)\./, "");
        const arns = (p.models ?? []).map((m) => m.modelArn ?? "");
        const routesOk =
          p.status === "ACTIVE" && modelId !== undefined && arns.length > 0 && arns.every((m) => m.endsWith(`foundation-model/${modelId}`));
        out.push(
          routesOk
            ? ok(check, `${p.inferenceProfileName} routes to ${modelId} (${arns.length} Region${arns.length === 1 ? "" : "s"})`)
            : fail(
                check,
                `${arn} is ${p.status ?? "unknown"} and routes to ${arns.join(", ") || "nothing"}, expected ${modelId ?? `a ${role} model`}`,
                "profiles cannot be edited: `pulumi up --replace <profile URN>` recreates it from models in the stage file",
              ),
        );
        const tags = Object.fromEntries(
          ((await c.bedrock.send(new ListTagsForResourceCommand({ resourceARN: arn }))).tags ?? []).map((t) => [t.key, t.value]),
        );
        const missing = [
          ["team", team],
          ["cost-center", undefined],
        ]
          .filter(([k, v]) => tags[k!] === undefined || (v !== undefined && tags[k!] !== v))
          .map(([k]) => k);
        for (const k of ["team", "cost-center"]) tagKeys.add(k);
        out.push(
          missing.length === 0
            ? ok(`${check} tags`, `team=${tags.team}, cost-center=${tags["cost-center"]}`)
            : fail(
                `${check} tags`,
                `missing or wrong tags: ${missing.join(", ")}`,
                "run `pulumi up` to restore the tags (cost per team in Cost Explorer depends on them)",
              ),
        );
        return out;
      });
    }
  }
  if (Object.keys(s.teamInferenceProfiles).length === 0)
    results.push(
      fail(
        "inference-profile",
        "the stack has no team inference profiles",
        "list teams under teams: in the stage file and run `pulumi up`",
      ),
    );

  await add("cost-allocation-tags", async () => {
    const check = "cost-allocation-tags";
    const keys = [...(tagKeys.size ? tagKeys : new Set(["team", "cost-center"]))];
    let res;
    try {
      res = await c.ce.send(new ListCostAllocationTagsCommand({ TagKeys: keys }));
    } catch (e) {
      // In an organisation only the management (payer) account sees and activates cost-allocation tags.
      if ((e as Error).name === "AccessDeniedException")
        return [
          fail(
            check,
            `cannot read cost-allocation tags with these credentials: ${errText(e)}`,
            "rerun with credentials of the organisation's management (payer) account, or ask its owners to confirm that team and cost-center are active",
          ),
        ];
      throw e;
    }
    const active = new Set((res.CostAllocationTags ?? []).filter((t) => t.Status === "Active").map((t) => t.TagKey));
    const inactive = keys.filter((k) => !active.has(k));
    return [
      inactive.length === 0
        ? ok(check, `${keys.join(", ")} active`)
        : fail(
            check,
            `not active as cost-allocation tags: ${inactive.join(", ")}`,
            `in the management (payer) account: \`aws ce update-cost-allocation-tags-status --cost-allocation-tags-status ${inactive.map((k) => `TagKey=${k},Status=Active`).join(" ")}\` (tags appear up to 24 h after first use)`,
          ),
    ];
  });

  // ---- Telemetry ----------------------------------------------------------------------------
  if (s.telemetryEndpoint || s.telemetryLoadBalancerDnsName) {
    await add("collector targets", async () => {
      const check = "collector targets";
      if (!s.telemetryLoadBalancerDnsName) return [missingOutput(check, "telemetryLoadBalancerDnsName")];
      const lbs: NonNullable<import("@aws-sdk/client-elastic-load-balancing-v2").DescribeLoadBalancersCommandOutput["LoadBalancers"]> = [];
      let marker: string | undefined;
      do {
        const page = await c.elb.send(new DescribeLoadBalancersCommand({ ...(marker ? { Marker: marker } : {}) }));
        lbs.push(...(page.LoadBalancers ?? []));
        marker = page.NextMarker;
      } while (marker);
      const lb = lbs.find((l) => l.DNSName?.toLowerCase() === s.telemetryLoadBalancerDnsName!.toLowerCase());
      if (!lb)
        return [
          fail(
            check,
            `no load balancer with DNS name ${s.telemetryLoadBalancerDnsName}`,
            "run `pulumi refresh` then `pulumi up` (the collector's load balancer was deleted)",
          ),
        ];
      const tgs = (await c.elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).TargetGroups ?? [];
      let healthy = 0;
      const states: string[] = [];
      for (const tg of tgs) {
        const h = (await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions ?? [];
        for (const d of h) {
          states.push(d.TargetHealth?.State ?? "unknown");
          if (d.TargetHealth?.State === "healthy") healthy++;
        }
      }
      return [
        healthy > 0
          ? ok(check, `${healthy} healthy collector target(s)`)
          : fail(
              check,
              `no healthy target behind ${lb.LoadBalancerName} (${states.length ? states.join(", ") : "no targets registered"})`,
              "look at the collector service's stopped tasks and logs (ECS console, the collector log group): usually the image cannot be pulled or the config is rejected",
            ),
      ];
    });
    await add("collector auth", async () => {
      if (!s.telemetryEndpoint) return [missingOutput("collector auth", "telemetryEndpoint")];
      return [await expect401(doFetch, "collector auth", `${s.telemetryEndpoint.replace(/\/$/, "")}/v1/metrics`, "POST")];
    });
    await add("dashboard", async () => {
      if (!s.telemetryDashboard) return [missingOutput("dashboard", "telemetryDashboard")];
      try {
        await c.telemetryCw.send(new GetDashboardCommand({ DashboardName: s.telemetryDashboard }));
        return [ok("dashboard", `${s.telemetryDashboard} exists`)];
      } catch (e) {
        return [fail("dashboard", `dashboard ${s.telemetryDashboard}: ${errText(e)}`, "run `pulumi up` to recreate the dashboard")];
      }
    });
  }

  // ---- Quotas -------------------------------------------------------------------------------
  if (s.quotaCheckUrl) {
    await add("quota api auth", async () => [await expect401(doFetch, "quota api auth", s.quotaCheckUrl!, "GET")]);
  }
  for (const table of s.quotaTables) {
    await add(`quota table ${table}`, async () => {
      const check = `quota table ${table}`;
      try {
        const b = await c.ddb.send(new DescribeContinuousBackupsCommand({ TableName: table }));
        const pitr = b.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
        return [
          pitr === "ENABLED"
            ? ok(check, "exists, point-in-time recovery on")
            : fail(
                check,
                `point-in-time recovery is ${pitr ?? "off"}`,
                `\`aws dynamodb update-continuous-backups --table-name ${table} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true\`, then \`pulumi up\` to confirm no drift`,
              ),
        ];
      } catch (e) {
        if ((e as Error).name === "TableNotFoundException")
          return [
            fail(
              check,
              `table ${table} does not exist`,
              "run `pulumi refresh` then `pulumi up`; restore the limits from a backup if the table was deleted",
            ),
          ];
        throw e;
      }
    });
  }

  // ---- Alarms -------------------------------------------------------------------------------
  await add("alarms", async () => {
    const check = "alarms";
    if (!s.alarmTopicArn) return [missingOutput(check, "alarmTopicArn")];
    if (s.alarmNames.length === 0) return [missingOutput(check, "alarmNames")];
    return [await alarmsNotify(check, c.cw, s.alarmNames, s.alarmTopicArn)];
  });
  // The telemetry alarms live in the telemetry account; in prod they notify that account's own topic.
  if (s.telemetryEndpoint) {
    await add("telemetry-alarms", async () => {
      const check = "telemetry-alarms";
      const topic = s.telemetryAlarmTopicArn ?? s.alarmTopicArn;
      if (!topic) return [missingOutput(check, "alarmTopicArn")];
      if (s.telemetryAlarmNames.length === 0) return [missingOutput(check, "telemetryAlarmNames")];
      return [await alarmsNotify(check, c.telemetryCw, s.telemetryAlarmNames, topic)];
    });
  }
  const topics: Array<[string | undefined, SNSClient]> = [
    [s.alarmTopicArn, c.sns],
    [s.quotaAlertTopicArn, c.sns],
    [s.telemetryAlarmTopicArn, c.telemetrySns],
  ];
  for (const [topic, sns] of topics) {
    if (topic === undefined) continue;
    const check = `subscriptions ${topic.split(":").pop()}`;
    await add(check, async () => {
      const subs = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions ?? [];
      const pending = subs.filter((x) => !x.SubscriptionArn?.startsWith("arn:"));
      if (subs.length === 0)
        return [
          fail(
            check,
            `${topic} has no subscriptions: nobody is told when an alarm fires`,
            "list recipients under inference.alarms.emails / quotas.alertEmails and run `pulumi up`",
          ),
        ];
      return [
        pending.length === 0
          ? ok(check, `${subs.length} confirmed subscription(s)`)
          : fail(
              check,
              `unconfirmed: ${pending.map((x) => x.Endpoint).join(", ")}`,
              'each recipient must click the link in the "AWS Notification - Subscription Confirmation" email (it expires after 3 days; `pulumi up --replace` the subscription to resend)',
            ),
      ];
    });
  }

  // ---- Invocation through the user role ------------------------------------------------------
  if (opts.invoke) {
    await add("invoke", async () => {
      const check = "invoke";
      const credentials = opts.userCredentials ?? (s.awsProfile ? await profileCredentials(s.awsProfile) : undefined);
      if (!credentials)
        return [
          fail(
            check,
            "no developer credentials: the stage settings name no AWS profile",
            "install the credential helper and sign in, then rerun with --invoke",
          ),
        ];
      const who = await new STSClient({ ...cfg, credentials }).send(new GetCallerIdentityCommand({}));
      const roleName = s.userRoleArn?.split("/").pop();
      if (!roleName || !who.Arn?.includes(`:assumed-role/${roleName}/`)) {
        return [
          fail(
            check,
            `the profile's identity is ${who.Arn}, not a session of ${s.userRoleArn}`,
            `sign in with the credential helper (\`AWS_PROFILE=${s.awsProfile ?? "claude-bedrock-<stage>"} aws sts get-caller-identity\` must show the developer role)`,
          ),
        ];
      }
      const team = Object.keys(s.teamInferenceProfiles)[0];
      const modelId = (team ? s.teamInferenceProfiles[team]!.primary : undefined) ?? s.models.primary!;
      let r;
      try {
        r = await new BedrockRuntimeClient({ ...cfg, credentials }).send(
          new ConverseCommand({
            modelId,
            messages: [{ role: "user", content: [{ text: "Reply with OK." }] }],
            inferenceConfig: { maxTokens: 1 },
          }),
        );
      } catch (e) {
        return [
          fail(
            check,
            `${who.Arn} cannot invoke ${modelId}: ${errText(e)}`,
            "AccessDenied: the user role's model grant or boundary misses this profile (run `pulumi up`); ValidationException/ResourceNotFound: enable model access for the model in the Bedrock console",
          ),
        ];
      }
      return [ok(check, `${who.Arn} invoked ${modelId}: ${r.usage?.inputTokens ?? "?"} in / ${r.usage?.outputTokens ?? "?"} out tokens`)];
    });
  }
  return results;
}

async function expect401(doFetch: typeof fetch, check: string, url: string, method: string): Promise<CheckResult> {
  try {
    const res = await doFetch(url, {
      method,
      signal: AbortSignal.timeout(10_000),
      ...(method === "POST" ? { headers: { "content-type": "application/x-protobuf" }, body: new Uint8Array() } : {}),
    });
    return res.status === 401
      ? ok(check, `${url} answers 401 without a token`)
      : fail(
          check,
          `${url} answered HTTP ${res.status} without a token (expected 401)`,
          res.status < 300
            ? "the endpoint accepts anonymous requests: run `pulumi up` to restore its authorizer/JWT check"
            : "the endpoint is not serving: check its logs (collector service or quota API stage) and DNS",
        );
  } catch (e) {
    return fail(
      check,
      `${url} is unreachable: ${errText(e)}`,
      "check DNS (the endpoint's record) and that this network may reach it (internal endpoints need the VPN)",
    );
  }
}

async function profileCredentials(profile: string): Promise<AwsCredentialIdentityProvider> {
  const { fromIni } = await import("@aws-sdk/credential-providers");
  return fromIni({ profile });
}

/** SHA-1 fingerprints of every certificate the host presents (leaf to root). */
export async function tlsChainFingerprints(url: string): Promise<string[]> {
  const u = new URL(url);
  if (u.protocol !== "https:") throw new Error(`the issuer ${url} is not https (IAM accepts only https issuers)`);
  return await new Promise((resolve, reject) => {
    const socket = tls.connect({ host: u.hostname, port: Number(u.port || 443), servername: u.hostname }, () => {
      const out: string[] = [];
      let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (cert && cert.fingerprint && !out.includes(cert.fingerprint.replace(/:/g, "").toLowerCase())) {
        out.push(cert.fingerprint.replace(/:/g, "").toLowerCase());
        cert = cert.issuerCertificate;
      }
      socket.end();
      resolve(out);
    });
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`TLS handshake with ${u.host} timed out`));
    });
    socket.on("error", reject);
  });
}
