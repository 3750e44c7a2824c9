/**
 * Pinned component lists of the collector images this module can run, so a generated config is
 * checked against what the image really contains before anything is deployed (no collector binary
 * runs here; a typo or a missing component would otherwise surface only as a crash-looping task).
 */

export type ComponentKind = "receivers" | "processors" | "exporters" | "extensions";

export interface CollectorDistribution {
  /** Image repository without tag. */
  readonly repository: string;
  /** Version the component list was read from. */
  readonly version: string;
  /** Where the list comes from. */
  readonly source: string;
  /** How the image is given its configuration. */
  readonly configFrom: "env-uri" | "aot-config-content";
  readonly components: Readonly<Record<ComponentKind, readonly string[]>>;
}

/**
 * OpenTelemetry Collector Contrib, `otel/opentelemetry-collector-contrib:0.136.0` (Docker Hub and
 * `ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib`).
 * Subset of `distributions/otelcol-contrib/manifest.yaml` of opentelemetry-collector-releases at
 * that version: the components relevant to this module plus the AWS ones, by their config type name.
 * The full manifest has ~250 components; listing only what a config here could reasonably name keeps
 * the check meaningful (an unexpected component is a finding, not silently "probably there").
 */
export const CONTRIB_0_136_0: CollectorDistribution = {
  repository: "otel/opentelemetry-collector-contrib",
  version: "0.136.0",
  source: "open-telemetry/opentelemetry-collector-releases distributions/otelcol-contrib/manifest.yaml (v0.136.0 modules)",
  configFrom: "env-uri",
  components: {
    receivers: [
      "otlp",
      "nop",
      "awsxray",
      "awsecscontainermetrics",
      "awscontainerinsightreceiver",
      "prometheus",
      "filelog",
      "statsd",
      "awsfirehose",
      "awss3",
    ],
    processors: [
      "batch",
      "memory_limiter",
      "attributes",
      "resource",
      "filter",
      "transform",
      "resourcedetection",
      "cumulativetodelta",
      "deltatocumulative",
      "deltatorate",
      "groupbyattrs",
      "metricstransform",
      "metricsgeneration",
      "redaction",
      "probabilistic_sampler",
      "tail_sampling",
      "interval",
    ],
    exporters: [
      "otlp",
      "otlphttp",
      "debug",
      "nop",
      "awsemf",
      "awss3",
      "awscloudwatchlogs",
      "awsxray",
      "awskinesis",
      "file",
      "prometheusremotewrite",
      "loadbalancing",
    ],
    extensions: [
      "health_check",
      "oidc",
      "bearertokenauth",
      "basicauth",
      "headers_setter",
      "sigv4auth",
      "pprof",
      "zpages",
      "file_storage",
      "awsproxy",
      "ecs_observer",
      "ecs_task_observer",
    ],
  },
};

/**
 * AWS Distro for OpenTelemetry Collector, `public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1`.
 * From aws-observability/aws-otel-collector `pkg/defaultcomponents/defaults.go` (the revision built on
 * `otelcol.MakeFactoryMap` and `otelconftelemetry`; VERSION v0.45.1), feature-gated exporters included.
 *
 * Note what is missing: no `oidc` authenticator, no `awss3` exporter, no `transform` processor. With
 * ADOT the collector cannot verify a caller's token or read its claims, so user attributes could only
 * come from client-sent headers, which a user can forge. `validateCollectorConfig` reports that
 * instead of deploying it; the module runs the contrib image by default for this reason.
 */
export const ADOT_0_45_1: CollectorDistribution = {
  repository: "public.ecr.aws/aws-observability/aws-otel-collector",
  version: "v0.45.1",
  source: "aws-observability/aws-otel-collector pkg/defaultcomponents/defaults.go (VERSION v0.45.1)",
  configFrom: "aot-config-content",
  components: {
    receivers: [
      "awsecscontainermetrics",
      "awscontainerinsightreceiver",
      "awsxray",
      "statsd",
      "prometheus",
      "kafka",
      "jaeger",
      "zipkin",
      "otlp",
      "filelog",
    ],
    processors: [
      "groupbytrace",
      "tail_sampling",
      "attributes",
      "resource",
      "probabilistic_sampler",
      "span",
      "filter",
      "metricstransform",
      "resourcedetection",
      "experimental_metricsgeneration",
      "cumulativetodelta",
      "deltatorate",
      "batch",
      "memory_limiter",
      "k8sattributes",
    ],
    exporters: [
      "awsemf",
      "prometheusremotewrite",
      "prometheus",
      "file",
      "kafka",
      "debug",
      "otlp",
      "otlphttp",
      "awsxray",
      "loadbalancing",
      "awscloudwatchlogs",
      "datadog",
      "logzio",
      "sapm",
      "signalfx",
    ],
    extensions: ["awsproxy", "ecs_observer", "health_check", "pprof", "sigv4auth", "zpages", "file_storage"],
  },
};

export const DISTRIBUTIONS: readonly CollectorDistribution[] = [CONTRIB_0_136_0, ADOT_0_45_1];

/**
 * Oldest contrib version the generated config works with: the `oidc` extension's `providers` list
 * arrived in 0.129 (contrib PR #40854) and token claims as `auth.<claim>` in 0.133 (PR #41748).
 */
export const MIN_CONTRIB_VERSION = "0.133.0";

/** Problems with an image's version for the config this module generates; empty when fine or unknown (digest). */
export function imageVersionProblems(image: string): string[] {
  if (distributionOf(image) !== CONTRIB_0_136_0) return [];
  const tag = /:(\d+)\.(\d+)\.(\d+)$/.exec(image);
  if (!tag) return [];
  const [major, minor] = [Number(tag[1]), Number(tag[2])];
  const [minMajor, minMinor] = MIN_CONTRIB_VERSION.split(".").map(Number) as [number, number];
  return major < minMajor || (major === minMajor && minor < minMinor)
    ? [
        `${image} is older than ${MIN_CONTRIB_VERSION}: its oidc authenticator cannot expose token claims (auth.<claim>) to the identity mapping`,
      ]
    : [];
}

/** The distribution an image reference belongs to, by repository; `undefined` when unknown. */
export function distributionOf(image: string): CollectorDistribution | undefined {
  const repo = image.replace(/[:@][^/]*$/, "");
  return DISTRIBUTIONS.find((d) => d.repository === repo || (repo.endsWith("/opentelemetry-collector-contrib") && d === CONTRIB_0_136_0));
}

/** `type/name` → `type` (the part the image must contain). */
export function componentType(id: string): string {
  return id.split("/")[0]!;
}
