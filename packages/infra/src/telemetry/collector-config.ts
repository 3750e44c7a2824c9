import { stringify, parse } from "yaml";
import { componentType, type CollectorDistribution, type ComponentKind } from "./components";
import { ATTR, CC_EVENTS, EMF_METRICS, IDENTITY_ATTRIBUTES, SPOOFABLE_ATTRIBUTES, UNSPECIFIED } from "./metrics";

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

export interface CollectorConfigOptions {
  readonly region: string;
  /** The stage name; written as `deployment.environment`. */
  readonly stage: string;
  /** Issuer URL exactly as in the token's `iss`. */
  readonly issuerUrl: string;
  /** Expected `aud` (the helper's client id). */
  readonly audience: string;
  readonly emailClaim: string;
  readonly attributeClaims: { readonly department?: string; readonly team?: string; readonly costCenter?: string };
  /** CloudWatch namespace of the EMF metrics. */
  readonly namespace: string;
  /** Log group EMF records go to (created with retention by the component). */
  readonly metricsLogGroup: string;
  /** Log group for Claude Code events; omit to run a metrics-only pipeline. */
  readonly eventsLogGroup?: string;
  /** Bucket for raw OTLP data. */
  readonly bucket: string;
  /** Container memory (MiB) the limiter keeps the collector under. */
  readonly memoryMiB: number;
  /**
   * Further issuers the collector trusts beside the corporate IdP: the stage's token endpoint for IAM
   * callers (IAM Identity Center users, workloads). `usernameClaim` becomes the user's email attribute.
   */
  readonly additionalIssuers?: ReadonlyArray<{ readonly issuerUrl: string; readonly audience: string; readonly usernameClaim: string }>;
}

type Yaml = Record<string, unknown>;

export interface CollectorConfig {
  readonly extensions: Record<string, Yaml>;
  readonly receivers: Record<string, Yaml>;
  readonly processors: Record<string, Yaml>;
  readonly exporters: Record<string, Yaml>;
  readonly service: {
    readonly extensions: readonly string[];
    readonly pipelines: Record<
      string,
      { readonly receivers: readonly string[]; readonly processors: readonly string[]; readonly exporters: readonly string[] }
    >;
    readonly telemetry?: Yaml;
  };
}

/** Ports the task listens on. */
export const OTLP_HTTP_PORT = 4318;
export const HEALTH_PORT = 13133;
export const HEALTH_PATH = "/";

/** A metric name as an anchored regular expression for `metric_name_selectors`. */
export const exactMetricRegex = (name: string) => `^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;

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

/** Renders the config as YAML (stable key order, no anchors). */
export function renderCollectorConfig(cfg: CollectorConfig): string {
  return stringify(cfg, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** Parses YAML back (for tests and for checking a hand-edited config). */
export function parseCollectorConfig(text: string): CollectorConfig {
  return parse(text) as CollectorConfig;
}

/** Known keys per component type: a typo in a key is a finding (the collector would refuse to start). */
export const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  "extensions/health_check": ["endpoint", "path", "check_collector_pipeline", "response_body"],
  "extensions/oidc": ["providers"],
  "receivers/otlp": ["protocols"],
  "processors/memory_limiter": ["check_interval", "limit_mib", "spike_limit_mib", "limit_percentage", "spike_limit_percentage"],
  "processors/filter": ["error_mode", "metrics", "logs", "traces"],
  "processors/resource": ["attributes"],
  "processors/attributes": ["actions", "include", "exclude"],
  "processors/batch": ["timeout", "send_batch_size", "send_batch_max_size", "metadata_keys", "metadata_cardinality_limit"],
  "exporters/awsemf": [
    "region",
    "namespace",
    "log_group_name",
    "log_stream_name",
    "dimension_rollup_option",
    "resource_to_telemetry_conversion",
    "output_destination",
    "metric_declarations",
    "metric_descriptors",
    "role_arn",
    "endpoint",
    "max_retries",
    "log_retention",
    "retain_initial_value_of_delta_metric",
    "tags",
  ],
  "exporters/awss3": ["s3uploader", "marshaler", "sending_queue", "timeout", "encoding", "encoding_file_extension", "resource_attrs_to_s3"],
  "exporters/awscloudwatchlogs": [
    "region",
    "log_group_name",
    "log_stream_name",
    "raw_log",
    "log_retention",
    "tags",
    "endpoint",
    "role_arn",
    "sending_queue",
  ],
};

const ACTIONS = new Set(["insert", "update", "upsert", "delete", "hash", "extract", "convert"]);

/**
 * Structural validation of a config against a distribution: every referenced component is defined,
 * every defined component is used, every component type exists in the image, keys are known, attribute
 * actions are valid. Returns problems; empty when the config would load.
 */
export function validateCollectorConfig(cfg: CollectorConfig, dist: CollectorDistribution): string[] {
  const p: string[] = [];
  const kinds: ComponentKind[] = ["receivers", "processors", "exporters", "extensions"];
  for (const kind of kinds) {
    for (const [id, body] of Object.entries(cfg[kind] ?? {})) {
      const type = componentType(id);
      if (!dist.components[kind].includes(type)) p.push(`${kind}.${id}: "${type}" is not in ${dist.repository}:${dist.version}`);
      const known = KNOWN_KEYS[`${kind}/${type}`];
      if (known && body && typeof body === "object") {
        for (const key of Object.keys(body)) if (!known.includes(key)) p.push(`${kind}.${id}: unknown key "${key}"`);
      }
    }
  }
  const used: Record<ComponentKind, Set<string>> = {
    receivers: new Set(),
    processors: new Set(),
    exporters: new Set(),
    extensions: new Set(cfg.service.extensions),
  };
  for (const ext of cfg.service.extensions)
    if (!(ext in (cfg.extensions ?? {}))) p.push(`service.extensions: "${ext}" is not defined under extensions`);
  for (const [name, pl] of Object.entries(cfg.service.pipelines)) {
    if (!/^(metrics|logs|traces)(\/[\w-]+)?$/.test(name))
      p.push(`service.pipelines.${name}: a pipeline is named metrics, logs or traces (optionally /name)`);
    for (const kind of ["receivers", "processors", "exporters"] as const) {
      if (kind !== "processors" && pl[kind].length === 0) p.push(`service.pipelines.${name}: needs at least one of ${kind}`);
      for (const id of pl[kind]) {
        used[kind].add(id);
        if (!(id in (cfg[kind] ?? {}))) p.push(`service.pipelines.${name}.${kind}: "${id}" is not defined`);
      }
    }
    if (pl.processors.length && pl.processors[0] !== "memory_limiter")
      p.push(`service.pipelines.${name}: memory_limiter must be the first processor`);
    const batch = pl.processors.indexOf("batch");
    const identity = pl.processors.indexOf("attributes/identity");
    if (identity >= 0 && batch >= 0 && batch < identity)
      p.push(`service.pipelines.${name}: attributes/identity must run before batch (request context is lost after batching)`);
  }
  for (const kind of kinds) {
    for (const id of Object.keys(cfg[kind] ?? {})) if (!used[kind].has(id)) p.push(`${kind}.${id}: defined but used by no pipeline`);
  }
  // Receivers that accept data from the network must authenticate it.
  for (const [id, body] of Object.entries(cfg.receivers ?? {})) {
    for (const [proto, settings] of Object.entries(((body as Yaml).protocols ?? {}) as Record<string, Yaml>)) {
      const auth = (settings?.auth as Yaml | undefined)?.authenticator;
      if (!auth) p.push(`receivers.${id}.protocols.${proto}: no authenticator (unauthenticated OTLP could be injected)`);
      else if (!used.extensions.has(String(auth)))
        p.push(`receivers.${id}.protocols.${proto}: authenticator "${auth}" is not enabled in service.extensions`);
    }
  }
  for (const [id, body] of Object.entries(cfg.processors ?? {})) {
    if (componentType(id) !== "attributes" && componentType(id) !== "resource") continue;
    const actions = ((body as Yaml).actions ?? (body as Yaml).attributes ?? []) as Yaml[];
    actions.forEach((a, i) => {
      if (!ACTIONS.has(String(a.action))) p.push(`processors.${id}[${i}]: unknown action "${a.action}"`);
      const sources = ["value", "from_attribute", "from_context"].filter((k) => a[k] !== undefined);
      if (["insert", "update", "upsert"].includes(String(a.action)) && sources.length !== 1)
        p.push(`processors.${id}[${i}]: ${a.action} needs exactly one of value, from_attribute, from_context`);
      if (typeof a.from_context === "string" && !/^(metadata\.|auth\.|client\.address$)/.test(a.from_context))
        p.push(`processors.${id}[${i}]: from_context "${a.from_context}" must start with metadata. or auth.`);
    });
  }
  return p;
}
