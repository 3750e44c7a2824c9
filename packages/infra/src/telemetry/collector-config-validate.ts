import { stringify, parse } from "yaml";
import { componentType, type CollectorDistribution, type ComponentKind } from "./components";
import type { CollectorConfig, Yaml } from "./collector-config-types";

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
