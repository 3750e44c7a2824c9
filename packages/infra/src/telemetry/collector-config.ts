import { ATTR, CC_EVENTS, EMF_METRICS, IDENTITY_ATTRIBUTES, SPOOFABLE_ATTRIBUTES, UNSPECIFIED } from "./metrics";
import {
  HEALTH_PATH,
  HEALTH_PORT,
  OTLP_HTTP_PORT,
  exactMetricRegex,
  type CollectorConfig,
  type CollectorConfigOptions,
  type Yaml,
} from "./collector-config-types";

export * from "./collector-config-types";
export { KNOWN_KEYS, parseCollectorConfig, renderCollectorConfig, validateCollectorConfig } from "./collector-config-validate";

/**
 * The collector configuration, typed, generated from the metric catalog and rendered to YAML once.
 *
 * What it does, in pipeline order:
 *  1. `otlp` receives OTLP/HTTP on 4318, authenticated by the `oidc` extension: the bearer token must
 *     be signed by the stage's issuer (keys from its discovery document) with the helper's client id
 *     as audience. The token's `<emailClaim>` becomes the authenticated subject; a token without it is
 *     rejected. (The ALB validated the same token before; this is the second check, and the one that
 *     makes the claims available.)
 *  2. `memory_limiter` first, so an overloaded task refuses data (clients retry) instead of dying.
 *  3. `filter/claude-code` drops anything that is not a Claude Code metric or event.
 *  4. `resource/identity` and `attributes/identity` delete every identity-like key the client sent,
 *     then insert the values from the validated token (`auth.subject`, `auth.<claim>`), and
 *     `unspecified` where the IdP sends no such claim (so dimension sets stay complete).
 *  5. `batch`, then export: EMF to CloudWatch (declared dimension sets only) and raw OTLP JSON to S3
 *     partitioned by date; events to CloudWatch Logs for the aggregation Lambda.
 */

/** Where each identity attribute comes from in the authenticated request context. */
export function identitySources(
  o: Pick<CollectorConfigOptions, "attributeClaims">,
): Record<(typeof IDENTITY_ATTRIBUTES)[number], string | undefined> {
  return {
    [ATTR.email]: "auth.subject",
    [ATTR.department]: o.attributeClaims.department ? `auth.${o.attributeClaims.department}` : undefined,
    [ATTR.team]: o.attributeClaims.team ? `auth.${o.attributeClaims.team}` : undefined,
    [ATTR.costCenter]: o.attributeClaims.costCenter ? `auth.${o.attributeClaims.costCenter}` : undefined,
  };
}

export function collectorConfig(o: CollectorConfigOptions): CollectorConfig {
  const problems = validateOptions(o);
  if (problems.length) throw new Error(`collector config: ${problems.join("; ")}`);
  return {
    extensions: {
      health_check: { endpoint: `0.0.0.0:${HEALTH_PORT}`, path: HEALTH_PATH },
      oidc: {
        providers: [
          { issuer_url: o.issuerUrl, audience: o.audience, username_claim: o.emailClaim },
          ...(o.additionalIssuers ?? []).map((i) => ({ issuer_url: i.issuerUrl, audience: i.audience, username_claim: i.usernameClaim })),
        ],
      },
    },
    receivers: {
      otlp: {
        protocols: {
          http: {
            endpoint: `0.0.0.0:${OTLP_HTTP_PORT}`,
            auth: { authenticator: "oidc" },
            max_request_body_size: 4 * 1024 * 1024,
            include_metadata: false,
          },
        },
      },
    },
    processors: processors(o),
    exporters: exporters(o),
    service: {
      extensions: ["health_check", "oidc"],
      pipelines: pipelines(o.eventsLogGroup !== undefined),
      telemetry: { logs: { level: "info" }, metrics: { level: "basic" } },
    },
  };
}

/** Identity attributes: whatever the client sent is deleted, then set from the validated token's claims. */
function identityActions(o: CollectorConfigOptions): Yaml[] {
  const sources = identitySources(o);
  return [
    ...SPOOFABLE_ATTRIBUTES.map((key) => ({ key, action: "delete" })),
    ...IDENTITY_ATTRIBUTES.flatMap((key) => {
      const from = sources[key];
      const fromToken = from ? [{ key, action: "insert", from_context: from }] : [];
      // The email always comes from the token (the oidc authenticator rejects tokens without it);
      // organisational claims fall back to a fixed value so dimension sets stay complete.
      return key === ATTR.email ? fromToken : [...fromToken, { key, action: "insert", value: UNSPECIFIED }];
    }),
  ];
}

/** Memory limit, Claude Code's signals only, identity from the token, batching. */
function processors(o: CollectorConfigOptions): CollectorConfig["processors"] {
  const limit = Math.floor(o.memoryMiB * 0.8);
  const events = o.eventsLogGroup !== undefined;
  return {
    memory_limiter: { check_interval: "1s", limit_mib: limit, spike_limit_mib: Math.floor(limit / 4) },
    "filter/claude-code": {
      error_mode: "ignore",
      metrics: { metric: ['not IsMatch(name, "^claude_code\\\\.")'] },
      ...(events ? { logs: { log_record: [eventFilter()] } } : {}),
    },
    "resource/identity": {
      attributes: [
        ...SPOOFABLE_ATTRIBUTES.map((key) => ({ key, action: "delete" })),
        { key: "deployment.environment", value: o.stage, action: "upsert" },
      ],
    },
    "attributes/identity": { actions: identityActions(o) },
    batch: { timeout: "10s", send_batch_size: 4096, send_batch_max_size: 8192 },
  };
}

/** Raw OTLP JSON to S3 under one prefix, partitioned by hour. */
function s3Exporter(o: CollectorConfigOptions, prefix: string): Yaml {
  return {
    s3uploader: {
      region: o.region,
      s3_bucket: o.bucket,
      s3_prefix: prefix,
      s3_partition_format: "year=%Y/month=%m/day=%d/hour=%H",
      compression: "gzip",
      storage_class: "STANDARD",
      retry_mode: "standard",
    },
    marshaler: "otlp_json",
  };
}

/** EMF metrics from the catalog and raw data to S3; events to CloudWatch Logs and S3 when kept. */
function exporters(o: CollectorConfigOptions): CollectorConfig["exporters"] {
  return {
    awsemf: {
      region: o.region,
      namespace: o.namespace,
      log_group_name: o.metricsLogGroup,
      log_stream_name: "collector",
      dimension_rollup_option: "NoDimensionRollup",
      resource_to_telemetry_conversion: { enabled: false },
      output_destination: "cloudwatch",
      metric_declarations: EMF_METRICS.map((m) => ({
        dimensions: m.dimensionSets.map((s) => [...s]),
        metric_name_selectors: [exactMetricRegex(m.metric)],
      })),
      metric_descriptors: EMF_METRICS.map((m) => ({ metric_name: m.metric, unit: m.unit, overwrite: true })),
    },
    "awss3/metrics": s3Exporter(o, "metrics"),
    ...(o.eventsLogGroup !== undefined
      ? {
          awscloudwatchlogs: { region: o.region, log_group_name: o.eventsLogGroup, log_stream_name: "collector", raw_log: false },
          "awss3/events": s3Exporter(o, "events"),
        }
      : {}),
  };
}

function pipelines(events: boolean): CollectorConfig["service"]["pipelines"] {
  const processorChain = ["memory_limiter", "filter/claude-code", "resource/identity", "attributes/identity", "batch"];
  return {
    metrics: { receivers: ["otlp"], processors: [...processorChain], exporters: ["awsemf", "awss3/metrics"] },
    ...(events ? { logs: { receivers: ["otlp"], processors: [...processorChain], exporters: ["awscloudwatchlogs", "awss3/events"] } } : {}),
  };
}

/**
 * OTTL condition that drops every log record except the Claude Code events the pipeline keeps. Claude
 * Code puts the event name in the body and (without the prefix) in `event.name`; either may match.
 */
export function eventFilter(): string {
  const names = Object.values(CC_EVENTS).map((e) => e.replace(/^claude_code\./, ""));
  const alt = names.join("|");
  return `not (IsMatch(body, "^claude_code\\\\.(${alt})$") or IsMatch(attributes["event.name"], "^(claude_code\\\\.)?(${alt})$"))`;
}

function validateOptions(o: CollectorConfigOptions): string[] {
  const p: string[] = [];
  if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(o.issuerUrl) || o.issuerUrl.endsWith("//"))
    p.push("`issuerUrl` must be the https issuer exactly as the tokens' `iss` claim");
  if (!o.audience.trim()) p.push("`audience` (the helper's client id) is required");
  for (const i of o.additionalIssuers ?? []) {
    if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(i.issuerUrl)) p.push(`\`additionalIssuers\`: "${i.issuerUrl}" must be an https issuer`);
    if (!i.audience.trim()) p.push("`additionalIssuers`: every issuer needs an audience");
  }
  if (!/^[\w:./-]{1,100}$/.test(o.emailClaim)) p.push("`emailClaim` must be a claim name");
  for (const [k, v] of Object.entries(o.attributeClaims))
    if (v !== undefined && !/^[\w:./-]{1,100}$/.test(v)) p.push(`\`attributeClaims.${k}\` must be a claim name`);
  if (!Number.isInteger(o.memoryMiB) || o.memoryMiB < 256) p.push("`memoryMiB` must be a whole number ≥ 256");
  return p;
}
