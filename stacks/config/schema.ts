import type { ConfigProblems } from "./problems";
import { nearest } from "./suggest";

/**
 * The one declarative list of the keys of `claude-code-bedrock:stage`: where each key lives, its type,
 * its default and why it exists. `parseStageConfig` refuses any key that is not here (a typo such as
 * `telemtry:` would otherwise silently leave an area off), and a test checks that the readers read
 * nothing that is not declared here, so docs generated from this list describe what the code reads.
 */
export interface ValueNode {
  readonly kind: "value";
  /** As a reader sees it: `string`, `number`, `boolean`, `string[]`, `a | b`, … */
  readonly type: string;
  readonly description: string;
  /** Shown as written in YAML; absent when the key is required or has no default. */
  readonly default?: string;
  /** What the pilot and prod stages choose, and why, when that differs from the default. */
  readonly pilotProd?: string;
  /** The key was removed: this message says what replaced it. */
  readonly removed?: string;
}
export interface MapNode {
  readonly kind: "map";
  readonly description: string;
  readonly keys: Readonly<Record<string, SchemaNode>>;
}
/** A list of maps. */
export interface ListNode {
  readonly kind: "list";
  readonly description: string;
  readonly item: MapNode;
}
/** A map with free keys (tags, prices by model id). */
export interface RecordNode {
  readonly kind: "record";
  readonly description: string;
  readonly value: SchemaNode;
}
export type SchemaNode = ValueNode | MapNode | ListNode | RecordNode;

const v = (type: string, description: string, extra: Partial<Omit<ValueNode, "kind" | "type" | "description">> = {}): ValueNode => ({
  kind: "value",
  type,
  description,
  ...extra,
});
const map = (description: string, keys: Record<string, SchemaNode>): MapNode => ({ kind: "map", description, keys });
const list = (description: string, keys: Record<string, SchemaNode>): ListNode => ({
  kind: "list",
  description,
  item: map(description, keys),
});
const record = (description: string, value: SchemaNode): RecordNode => ({ kind: "record", description, value });

const account = (what: string) =>
  map(what, {
    id: v("string (12 digits, quoted)", "the account id; the provider refuses any other account (allowedAccountIds)"),
    deployRoleArn: v("role ARN", "role Pulumi assumes to deploy there; absent: the caller's own credentials", {
      pilotProd: "pilot: absent (one account, administrator); prod: the ccb-prod-ci-deploy role",
    }),
  });
const prices = (description: string) =>
  record(
    description,
    map("USD per million tokens", {
      input: v("number", "input tokens"),
      output: v("number", "output tokens"),
      cacheRead: v("number", "cache reads"),
      cacheWrite: v("number", "cache writes"),
    }),
  );

export const STAGE_SCHEMA: MapNode = map("the configuration of one stage", {
  name: v("string", "the stage name; must equal the stack name"),
  organization: v("string", "the organisation's display name, shown by the helper"),
  namePrefix: v("string", "prefix of physical names and tags", { default: "ccb-<stage>" }),
  organizationId: v("o-…", "AWS Organizations id: cross-account trust and organisation-wide registry reads", {
    pilotProd: "pilot: absent (one account); prod: set",
  }),
  tags: record("tags on every resource", v("string", "tag value")),
  accounts: map("the accounts of the stage", {
    inference: account("the inference account: federation, Bedrock, quotas"),
    telemetry: account("the telemetry account: collector, dashboard, analytics; default: the inference account"),
    workloads: list("accounts whose workloads call Claude through cross-account roles", {
      name: v("string", "lower-case name the crossAccount roles refer to"),
      id: v("string (12 digits, quoted)", "the account id"),
      deployRoleArn: v("role ARN", "role Pulumi assumes to deploy there"),
    }),
  }),
  region: v("AWS Region", "source Region of Bedrock calls, profiles and logs"),
  identityProvider: map("the corporate OIDC identity provider (optional in identity-center stages without telemetry)", {
    kind: v("okta | entra | auth0 | cognito-user-pool | generic", "the IdP product (issuer checks, JWKS location)", { default: "generic" }),
    issuer: v("https URL", "exactly the `iss` of the id_tokens"),
    clientId: v("string", "the native (public) client registered for the helper"),
    existingProviderArn: v("OIDC provider ARN", "reuse the inference account's IAM OIDC provider for the issuer instead of creating one"),
    allowedSubjects: v("string[]", "IdP `sub` values that may assume the Bedrock role (named subjects, no wildcards)", {
      default: "[]",
      pilotProd: "pilot: the pilot users; prod: [] (requiredSessionTag instead)",
    }),
    requiredSessionTag: map("a session tag (https://aws.amazon.com/tags claim) every token must carry", {
      key: v("string", "session tag key"),
      values: v("string[]", "accepted values (no wildcards)"),
    }),
    emailSessionTag: v("string", "session tag key carrying the user's email; required to block quotas at the IAM layer", {
      pilotProd: "pilot: absent (quotas alert); prod: email (quotas block)",
    }),
    redirectPort: v("number", "port of the loopback redirect the IdP has registered", { default: "8400" }),
    redirectHost: v("127.0.0.1 | localhost", "host of the loopback redirect", {
      default: "localhost for cognito-user-pool, else 127.0.0.1",
    }),
    scopes: v("string[]", "OAuth scopes the helper requests", { default: "[openid, email, profile, offline_access]" }),
    emailClaim: v("string", "id_token claim with the user's email", { default: "email" }),
    groupsClaim: v("string", "id_token claim with the user's groups (quota group limits)"),
    attributeClaims: map("id_token claims for attribution", {
      department: v("string", "claim with the department"),
      team: v("string", "claim with the team"),
      costCenter: v("string", "claim with the cost center"),
    }),
  }),
  federation: map("how developers get AWS credentials", {
    mode: v(
      "direct | cognito-identity-pool | identity-center",
      "IAM OIDC provider (direct), a Cognito identity pool, or an IAM Identity Center permission set (docs/identity-center.md)",
      { default: "direct" },
    ),
    sessionDurationHours: v(
      "number",
      "longest developer session, 1–12 hours (the role's maximum or the permission set's session duration)",
      { default: "8", pilotProd: "pilot: 8; prod: 12 (one login a day)" },
    ),
    identityCenter: map("IAM Identity Center (mode: identity-center only)", {
      instanceArn: v("IdC instance ARN", "arn:aws:sso:::instance/ssoins-…"),
      identityStoreId: v("string", "the instance's identity store (d-…); user attributes for telemetry come from it"),
      startUrl: v("https URL", "the AWS access portal URL the helper's sso-session signs in at"),
      ssoRegion: v("AWS Region", "Region of the IdC instance"),
      groupIds: v("string[]", "identity store group ids assigned the permission set in the inference account (at least one)"),
      permissionSetName: v("string", "name of the permission set (1–32 characters); IdC's role is AWSReservedSSO_<name>_<hash>", {
        default: "ClaudeCode-<stage>",
      }),
      adminAccount: map(
        "the IdC management or delegated administrator account, where the permission set lives; default: the inference account",
        {
          id: v("string (12 digits, quoted)", "the account id"),
          deployRoleArn: v("role ARN", "role Pulumi assumes there"),
        },
      ),
    }),
  }),
  models: map("the Claude models of the stage", {
    primary: v("Bedrock model id", "the default model"),
    fast: v("Bedrock model id", "the small fast model"),
    opus: v("Bedrock model id", "the largest model, optional"),
    crossRegion: v(
      "us | eu | apac | jp | au | global | us-gov | none",
      "cross-Region inference profile geography (none: in-Region on-demand)",
      { default: "us" },
    ),
    destinationRegions: v("string[]", "removed", {
      removed: "is no longer used: access follows the profile's geography (crossRegion); remove the key",
    }),
  }),
  teams: list("teams with their own application inference profiles (cost reports)", {
    name: v("string", "lower-case team name, used in tags, profile names and group mappings"),
    costCenter: v("string", "cost-center tag value"),
    tags: record("extra cost-allocation tags on the team's profiles", v("string", "tag value")),
  }),
  inference: map("the inference account's Bedrock settings", {
    invocationLogging: map("Bedrock model invocation logging", {
      enabled: v("boolean", "log invocations (metadata) to S3 and CloudWatch Logs", { default: "true" }),
      logRetentionDays: v("number (CloudWatch retention)", "days the log group keeps records", { default: "90" }),
      s3ExpirationDays: v("number", "days the S3 copy is kept", { default: "365" }),
      text: v(
        "boolean",
        "audit option: also log the full text of prompts and responses (S3 copy to its own bucket and key readable only by the audit role; the log group carries the text too); see docs/operating.md",
        { default: "false" },
      ),
    }),
    alarms: map("CloudWatch alarms on Bedrock metrics", {
      emails: v("string[]", "addresses subscribed to the alarm topic", { default: "[]" }),
      throttlesPer5Min: v("number", "throttled calls per 5 minutes", { default: "10" }),
      serverErrorsPer5Min: v("number", "server errors per 5 minutes", { default: "5" }),
      clientErrorsPer5Min: v("number", "client errors per 5 minutes", { default: "50" }),
      latencyP90Ms: v("number", "p90 latency in milliseconds", { default: "60000" }),
      invocationsPerHour: v("number", "invocations per hour", { default: "20000" }),
    }),
    denyBedrockApiKeys: v("boolean", "deny Bedrock API keys (long-lived bearer tokens) in the account", { default: "true" }),
    restrictTeamProfiles: v("boolean", "a team's profiles only for sessions with that team's `team` session tag", {
      default: "false",
      pilotProd: "pilot: false; prod: true",
    }),
    serviceQuotaAlarms: map(
      "alarms at a percentage of the applied Bedrock quotas (tokens and requests per minute) of the primary and fast models; see docs/operating.md",
      {
        enabled: v("boolean", "publish the quotas every minute and alarm near them (plus a dashboard section)", { default: "true" }),
        thresholdPercent: v("number (1–99)", "alarm when a minute's usage passes this percentage of the quota (3 of 5 minutes)", {
          default: "80",
        }),
        quotaCodes: map("Service Quotas codes by model role; absent: found by name (cross-Region profile quotas when the stage uses one)", {
          primary: map("quota codes of one model role, when the lookup by quota name should not be trusted", {
            tokens: v("string (L-…)", "the tokens-per-minute quota's code"),
            requests: v("string (L-…)", "the requests-per-minute quota's code"),
          }),
          fast: map("quota codes of one model role, when the lookup by quota name should not be trusted", {
            tokens: v("string (L-…)", "the tokens-per-minute quota's code"),
            requests: v("string (L-…)", "the requests-per-minute quota's code"),
          }),
        }),
      },
    ),
  }),
  crossAccount: map("invoke-only roles for workload accounts", {
    roles: list("cross-account roles", {
      name: v("string", "lower-case role name (after the prefix)"),
      sourceAccounts: v("string[]", "names of accounts.workloads entries that may assume the role"),
      sourceRoleNames: v("string[]", "roles in the source accounts that get sts:AssumeRole", { default: "[]" }),
      externalId: v("string", "sts:ExternalId the callers must pass (or set organizationId)"),
      principalArnPatterns: v(
        "string[]",
        "role ARNs (or name prefixes ending in *) in the source accounts that may assume the role; never a whole account",
        { default: "[]" },
      ),
    }),
  }),
  telemetry: map("the OpenTelemetry collector and dashboard", {
    enabled: v("boolean", "deploy the telemetry area", { default: "false", pilotProd: "pilot: as chosen; prod: true" }),
    scheme: v("internet-facing | internal", "where developers reach the collector from", { default: "internet-facing" }),
    allowedCidrs: v("string[]", "networks that may reach the HTTPS listener", { default: "[0.0.0.0/0] when internet-facing" }),
    domainName: v("host name", "the collector endpoint's host name"),
    hostedZoneId: v("string", "Route 53 zone: a certificate is issued with DNS validation"),
    certificateArn: v("ACM certificate ARN", "an existing certificate for domainName"),
    sslPolicy: v("ELB TLS policy", "TLS policy of the listener"),
    jwksUri: v("https URL", "JWKS endpoint; required for a generic IdP"),
    audienceFormat: v("single-string | string-array", "how the IdP writes `aud`", { default: "single-string" }),
    collector: map("the collector task", {
      image: v("image reference", "pinned collector-contrib image"),
      cpu: v("number", "task CPU units", { default: "512" }),
      memoryMiB: v("number", "task memory", { default: "1024" }),
      minTasks: v("number", "fewest tasks", { default: "1" }),
      maxTasks: v("number", "most tasks", { default: "2" }),
      architecture: v("ARM64 | X86_64", "task CPU architecture", { default: "ARM64" }),
      events: v("boolean", "export Claude Code events", { default: "true" }),
    }),
    network: map("the collector's VPC", {
      cidrBlock: v("CIDR", "CIDR of the VPC the stage creates", { default: "10.80.0.0/20" }),
      natGateways: v("number", "NAT gateways (1 or 2)", { default: "1" }),
      logsEndpoint: v("boolean", "CloudWatch Logs VPC endpoint", { default: "false" }),
      existing: map("use an existing VPC instead", {
        vpcId: v("string", "VPC id"),
        cidrBlock: v("CIDR", "the VPC's CIDR"),
        publicSubnetIds: v("string[]", "public subnets in two zones"),
        privateSubnetIds: v("string[]", "private subnets in two zones"),
      }),
    }),
    logRetentionDays: v("number (CloudWatch retention)", "days telemetry records are kept", { default: "30" }),
    rawDataExpirationDays: v("number", "days raw exports in S3 are kept", { default: "90" }),
    aggregator: map("the dashboard aggregation Lambda", {
      everyMinutes: v("number", "schedule, dividing an hour", { default: "15" }),
      leaderboardSize: v("number", "entries per leaderboard", { default: "10" }),
    }),
    modelLifecycle: map("warnings about model end-of-life", {
      enabled: v("boolean", "check model lifecycle", { default: "true" }),
      warnDays: v("number", "days before end-of-life to warn", { default: "90" }),
    }),
    deletionProtection: v("boolean", "protect the load balancer and data from deletion", { default: "true" }),
    crossAccountMetrics: v("boolean", "link the inference account's metrics (OAM) for the Bedrock widgets", { default: "false" }),
  }),
  quotas: map("usage limits per user and group", {
    enabled: v("boolean", "deploy the quotas area", { default: "false" }),
    mode: v("alert | block", "notify only, or also refuse credentials and deny Bedrock", {
      default: "alert",
      pilotProd: "pilot: alert; prod: block",
    }),
    defaults: map("the limit of everyone without a user or group record", {
      monthlyTokens: v("number", "tokens per month"),
      dailyTokens: v("number", "tokens per day"),
      monthlyCostUsd: v("number", "USD per month"),
      dailyCostUsd: v("number", "USD per day"),
      monthlyMode: v("alert | block", "what the monthly limit does", { default: "mode" }),
      dailyMode: v("alert | block", "what the daily limit does", { default: "mode" }),
    }),
    thresholds: v("number[] (percent)", "ascending percentages of a limit that alert", { default: "[80, 90, 100]" }),
    alertEmails: v("string[]", "addresses that receive quota alerts", { default: "[]" }),
    enforceOn: v("max | telemetry | invocation-logs", "which usage record counts", { default: "max" }),
    check: map("the /check API the helper calls before it gets credentials", {
      authorization: v("jwt | iam", "how the API authenticates callers", { default: "jwt" }),
      failMode: v("open | closed", "credentials when the API cannot answer", { default: "closed with mode block, else open" }),
      timeoutMs: v("number", "helper timeout", { default: "3000" }),
      missingIdentity: v("allow | block", "tokens without an email claim", { default: "block with mode block, else allow" }),
      rateLimit: v("number", "requests per second", { default: "50" }),
      burstLimit: v("number", "burst requests", { default: "100" }),
      reservedConcurrency: v("number", "Lambda reserved concurrency", { default: "20" }),
    }),
    enforcement: map("the IAM-layer block", {
      serverSideBlock: v("boolean", "deny Bedrock to blocked users by IAM (keys on the email session tag)", {
        default: "true with mode block",
      }),
      blockPolicyCount: v("number", "managed deny policies (~150 users each)", { default: "2" }),
    }),
    sources: map("where usage is read", {
      telemetry: v("auto | boolean", "the collector's per-user token metric", { default: "auto" }),
      invocationLogs: v("auto | boolean", "Bedrock invocation logs (direct federation)", { default: "auto" }),
      invocationLogsKeyPrefix: v("string", "S3 key prefix of the invocation logs", { default: '""' }),
    }),
    drift: map("alert when the two usage records disagree", {
      thresholdPercent: v("number (percent)", "difference that alerts", { default: "20" }),
      minTokens: v("number", "ignore users below this many tokens", { default: "100000" }),
    }),
    pricing: prices("price overrides by Bedrock model id"),
    priceSource: map("Bedrock prices from the AWS Price List on a schedule (the catalog and pricing stay the fallback)", {
      enabled: v("boolean", "read list prices daily into the quota price book; alarm on a model without one", { default: "true" }),
      schedule: v("rate() | cron()", "when the Price List is read", { default: "rate(1 day)" }),
    }),
    logRetentionDays: v("number (CloudWatch retention)", "days the quota functions' logs are kept", { default: "90" }),
    usageRetentionDays: v("number", "days usage records are kept", { default: "400" }),
    settleMinutes: v("number", "minutes records need to arrive before a period closes", { default: "10" }),
    aggregationShards: v(
      "number (1–64)",
      "user-hash shards of one aggregation run: above 1 a dispatcher invokes one worker function per shard (for tens of thousands of developers)",
      { default: "1", pilotProd: "pilot: 1; prod: 8" },
    ),
    deletionProtection: v("boolean", "protect the tables from deletion", { default: "true" }),
    rateLimits: map(
      "per-developer rate limits from the invocation-log group: a user past one is denied by IAM for a cool-down (alert stages: alerted only)",
      {
        enabled: v("boolean", "count tokens and model calls per user and minute from the invocation-log group", {
          default: "false",
          pilotProd: "pilot: off; prod: on",
        }),
        tokensPerMinute: v("number", "stage default tokens per minute (user and group records override: quota set … --tpm)"),
        requestsPerMinute: v("number", "stage default model calls per minute (quota set … --rpm)"),
        cooldownMinutes: v("number (1–1440)", "how long a user past a limit is denied", { default: "10" }),
        policyCount: v("number (1–2)", "managed deny policies for users cooling down", { default: "1" }),
      },
    ),
  }),
  analytics: map("Firehose → S3 → Glue → Athena", {
    enabled: v("boolean", "deploy the analytics area", { default: "false", pilotProd: "pilot: off; prod: on" }),
    dataRetentionDays: v("number", "days the Parquet history is kept", { default: "730" }),
    resultsRetentionDays: v("number", "days Athena results are kept", { default: "30" }),
    bytesScannedCutoffGiB: v("number", "Athena cancels a query that scans more", { default: "10" }),
    bufferIntervalSeconds: v("number", "Firehose buffer interval", { default: "300" }),
    emfLogRetentionDays: v("number (CloudWatch retention)", "retention of the pipeline's own log group", { default: "3" }),
    priceOverrides: prices("negotiated prices by base model id"),
    analystRoleNames: v("string[]", "roles in the telemetry account that may run the queries", { default: "[]" }),
    forceDestroy: v("boolean", "let destroy delete non-empty buckets", { default: "false" }),
    billing: map("the billed side: a CUR 2.0 data export of the inference account, queried beside the estimates", {
      enabled: v("boolean", "create the export, its bucket, the Glue table and the billed-cost queries (needs analytics.enabled)", {
        default: "false",
        pilotProd: "pilot: off; prod: on",
      }),
      retentionDays: v("number (400–3653)", "days CUR files are kept (chargeback disputes, audits)", { default: "1100" }),
      activateCostAllocationTags: v("boolean", "activate team, cost-center, department as cost allocation tags (payer account only)", {
        default: "false",
      }),
      tableConfigurationOverrides: record(
        "CUR 2.0 table configurations over the defaults (UPPER_SNAKE_CASE name → value)",
        v("string", "the configuration value"),
      ),
      reconciliation: map(
        "daily estimate-vs-bill check per developer and team, run in the analytics account (needs quotas on, and telemetry on where analytics has its own account)",
        {
          enabled: v("boolean", "run the reconciliation queries daily and alarm on drift", { default: "true" }),
          thresholdPercent: v("number (percent)", "drift of a settled developer or team day that raises the billed-drift alarm", {
            default: "10",
          }),
          minUsd: v("number", "days below this many USD on both sides are not compared", { default: "1" }),
          schedule: v("rate() | cron()", "when the reconciliation runs (UTC)", { default: "cron(0 7 * * ? *)" }),
        },
      ),
    }),
  }),
  distribution: map("the internal npm registry of the helper", {
    enabled: v("boolean", "deploy the registry", { default: "false" }),
    packageName: v("scoped npm name", "the helper's package name"),
    registry: map("where the helper is published and installed from", {
      kind: v(
        "codeartifact | npm",
        "a CodeArtifact repository this stage creates, or an npm registry the organisation runs (the keys below are CodeArtifact's)",
        {
          default: "codeartifact",
        },
      ),
      url: v(
        "https URL",
        "npm: the registry (Artifactory, Nexus, GitHub Packages, Verdaccio); CI publishes with the HELPER_NPM_TOKEN secret",
      ),
    }),
    account: v("inference | telemetry", "account that holds the registry", { default: "inference" }),
    domainName: v("string", "CodeArtifact domain", { default: "namePrefix" }),
    repositoryName: v("string", "CodeArtifact repository", { default: "claude-code" }),
    upstreamNpmjs: v("boolean", "proxy npmjs.com (dependency confusion risk)", { default: "false" }),
    readers: map("who may install", {
      organization: v("boolean", "every principal of organizationId", { default: "false", pilotProd: "pilot: false; prod: true" }),
      accountIds: v("string[]", "accounts whose principals may install", { default: "[]" }),
    }),
    developerRoleReads: v("boolean", "the developer role may read the registry", { default: "true" }),
    publisher: map("who may publish", {
      roleNames: v("string[]", "CI role names that may publish"),
      accountId: v("string (12 digits)", "account of those roles", { default: "the registry's" }),
      github: map("publish straight from GitHub Actions", {
        oidcProviderArn: v("OIDC provider ARN", "the account's token.actions.githubusercontent.com provider"),
        repository: v("owner/name", "the GitHub repository"),
        environment: v("string", "the protected environment (required reviewers) whose jobs may publish; required"),
        tagPattern: v("string", "and only from these release tags, e.g. helper-v* (pinned with the ref claim)"),
      }),
    }),
  }),
  helper: map("the credential helper on developer machines", {
    caBundlePath: v(
      "absolute path (.pem, .crt, .cer)",
      "extra root CAs every helper call trusts, for networks whose proxy inspects TLS (the file must be on every developer machine, e.g. placed by device management); added to Node's roots and NODE_EXTRA_CA_CERTS",
      { pilotProd: "absent (no TLS-inspecting proxy)" },
    ),
  }),
  cicd: map("GitHub Actions roles", {
    enabled: v("boolean", "create the CI roles", { default: "false" }),
    github: map("the repository and its deploy triggers", {
      repository: v("owner/name", "the GitHub repository"),
      deployBranch: v("string", "branch that deploys", { pilotProd: "pilot: main; prod: absent (environment only)" }),
      deployEnvironments: v("string[]", "GitHub environments that deploy", { default: "[]" }),
      previewOnPullRequests: v("boolean", "read-only preview role for pull requests", { default: "true" }),
      existingOidcProviderArn: v("OIDC provider ARN", "the inference account's existing token.actions.githubusercontent.com provider"),
    }),
    release: map("publishing the helper", {
      tagPattern: v("string", "tags that publish, e.g. helper-v*"),
      environment: v("string", "protected environment that publishes"),
      codeArtifact: map("a registry other than the stage's distribution", {
        domain: v("string", "CodeArtifact domain"),
        repository: v("string", "CodeArtifact repository"),
        packageName: v("scoped npm name", "the helper's package name"),
      }),
    }),
    stateBackend: map("self-managed Pulumi backend", {
      bucket: v("string", "S3 state bucket"),
      kmsKeyArn: v("KMS key ARN", "awskms secrets provider key"),
    }),
    permissionsBoundaryArn: v("policy ARN", "organisation-provided boundary for the CI roles"),
    additionalRegions: v("AWS Region[]", "Regions besides the stage's where CI may act", { default: "[]" }),
    maxSessionMinutes: v("number", "longest CI session, 15–60", { default: "60" }),
  }),
});

/** Every key path of the schema (`stage.accounts.workloads[].id`, `stage.tags.*`), for docs and tests. */
export function schemaPaths(node: SchemaNode = STAGE_SCHEMA, path = "stage"): { path: string; node: SchemaNode }[] {
  const here = [{ path, node }];
  switch (node.kind) {
    case "map":
      return [...here, ...Object.entries(node.keys).flatMap(([k, n]) => schemaPaths(n, `${path}.${k}`))];
    case "list":
      return [...here, ...schemaPaths(node.item, `${path}[]`).slice(1)];
    case "record":
      return [...here, ...schemaPaths(node.value, `${path}.*`)];
    default:
      return here;
  }
}

const ALL_PATHS = schemaPaths();

/** Reports every key of `raw` the schema does not declare, with the nearest known key as a suggestion. */
export function checkKnownKeys(raw: unknown, p: ConfigProblems, node: SchemaNode = STAGE_SCHEMA, path = "stage"): void {
  if (node.kind === "value") {
    if (node.removed && raw !== undefined) p.add(path, node.removed);
    return;
  }
  if (node.kind === "list") {
    if (Array.isArray(raw)) raw.forEach((item, i) => checkKnownKeys(item, p, node.item, `${path}[${i}]`));
    return;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return;
  for (const [k, value] of Object.entries(raw)) {
    if (node.kind === "record") {
      checkKnownKeys(value, p, node.value, `${path}.${k}`);
      continue;
    }
    const known = node.keys[k];
    if (known) {
      checkKnownKeys(value, p, known, `${path}.${k}`);
      continue;
    }
    p.add(
      `${path}.${k}`,
      `is not a known key${suggestion(k, node)}; a misspelt key would otherwise be ignored and its setting silently left at the default`,
    );
  }
}

function suggestion(key: string, node: MapNode): string {
  const siblings = Object.keys(node.keys).filter((k) => !(node.keys[k]!.kind === "value" && (node.keys[k] as ValueNode).removed));
  const near = nearest(key, siblings);
  if (near) return `: did you mean \`${near}\`?`;
  // The key may be right but in the wrong section (e.g. restrictTeamProfiles at the top level).
  const elsewhere = ALL_PATHS.filter(
    (x) =>
      x.path
        .split(/\.|\[\]/)
        .filter(Boolean)
        .pop() === key && !(x.node.kind === "value" && x.node.removed),
  );
  if (elsewhere.length) return `: it belongs under ${elsewhere.map((x) => `\`${x.path}\``).join(" or ")}`;
  return `; known keys here: ${siblings.join(", ")}`;
}
