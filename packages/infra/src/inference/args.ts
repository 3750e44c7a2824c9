import type * as pulumi from "@pulumi/pulumi";
import type { CrossRegionPrefix } from "./models";

export type ModelRole = "primary" | "fast" | "opus";

export interface TeamArgs {
  readonly name: string;
  readonly costCenter: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface AlarmThresholds {
  readonly throttlesPer5Min: number;
  readonly serverErrorsPer5Min: number;
  readonly clientErrorsPer5Min: number;
  readonly latencyP90Ms: number;
  readonly invocationsPerHour: number;
}

export interface InferenceAccountArgs {
  /** Prefix of physical names (`ccb-pilot`). */
  readonly namePrefix: string;
  /** Source Region of Bedrock calls (where profiles and logs live). */
  readonly region: string;
  readonly models: Readonly<Partial<Record<ModelRole, string>>> & { readonly primary: string; readonly fast: string };
  readonly crossRegion: CrossRegionPrefix | "none";
  /** One application inference profile per team and model role, tagged for cost allocation. */
  readonly teams: readonly TeamArgs[];
  readonly invocationLogging: {
    readonly enabled: boolean;
    readonly logRetentionDays: number;
    readonly s3ExpirationDays: number;
    /**
     * Audit option, off by default: log the full text of prompts and responses. The S3 copy goes to a
     * bucket of its own under a key only its audit role decrypts; the CloudWatch Logs copy carries the
     * text too (one logging configuration per account and Region). See docs/operating.md.
     */
    readonly text?: boolean;
  };
  readonly alarms: AlarmThresholds & { readonly emails: readonly string[] };
  /** Deny Bedrock API keys to everyone granted model access. */
  readonly denyBedrockApiKeys: boolean;
  /**
   * A team's profiles may be invoked only by sessions tagged `team=<that team>` (`aws:PrincipalTag/team`,
   * sent by the IdP as a session tag). Needs at least one team. Default false: every team's profiles.
   */
  readonly restrictTeamProfiles?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}
