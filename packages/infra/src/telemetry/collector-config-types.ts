/** The collector configuration's shape and the ports it listens on (shared by the builder, the validation and the task). */

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

export type Yaml = Record<string, unknown>;

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
