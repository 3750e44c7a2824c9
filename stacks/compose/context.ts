import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { federation, telemetry } from "@ccb/infra";
import type { StageSettings } from "@ccb/contracts";
import type { StageConfig } from "../config/stage-config";

/** Explicit providers, one per account, so one `pulumi up` deploys into several accounts. */
export interface StageProviders {
  readonly inference: aws.Provider;
  readonly telemetry: aws.Provider;
  /** The inference account in us-east-1 (Data Exports, Cost Explorer); only when the stage exports billed cost. */
  readonly inferenceBillingApi?: aws.Provider;
  /** The IAM Identity Center instance's account in its Region (permission sets); only in identity-center stages. */
  readonly identityCenter?: aws.Provider;
  /** Provider of a workload account by its `accounts.workloads[].name`. */
  workload(name: string): aws.Provider;
}

/** What every area's composition can use: the config and what the foundation created. */
export interface StageContext {
  readonly config: StageConfig;
  readonly providers: StageProviders;
  /** Tags every resource gets (also set as provider default tags). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * The workload permissions boundary of each account of the stage, by account id
   * (`composeWorkloadBoundaries`): every role the program creates there carries it.
   */
  readonly workloadBoundaryArns: Readonly<Record<string, pulumi.Output<string>>>;
  /** The corporate IdP's issuer; absent in an IAM Identity Center stage without one. */
  readonly issuer?: federation.NormalisedIssuer;
  /** The role federated developers assume (or the Cognito pool's authenticated role). */
  readonly userRole: { readonly arn: pulumi.Output<string>; readonly name: pulumi.Output<string> };
  /** SNS topic (inference account) that alarms and notifications go to. */
  readonly alarmTopicArn: pulumi.Output<string>;
  /** Customer managed KMS key of the inference account (logs, topic, buckets there). */
  readonly inferenceKeyArn: pulumi.Output<string>;
  /** Application inference profile ARN per team and model role: the `model` Claude Code reports for team users (analytics prices these). */
  readonly teamProfiles?: Readonly<Record<string, Readonly<Partial<Record<"primary" | "fast" | "opus", pulumi.Output<string>>>>>>;
  /** Team profile ARNs with the base model each stands for (`composeInference`): telemetry, quotas and analytics price them alike. */
  readonly modelAliases: readonly ModelAlias[];
  /** Names of the inference account's CloudWatch alarms (throttles, errors, latency, volume): the dashboard shows their state. */
  readonly alarmNames?: readonly pulumi.Output<string>[];
  /** IAM Identity Center stages with telemetry: collector tokens for IAM callers (a second trusted issuer). */
  readonly tokenEndpoint?: telemetry.TokenEndpoint;
  /** Where Bedrock writes model invocation logs, when logging is on. */
  readonly invocationLogs?: {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    readonly logGroupArn: pulumi.Output<string>;
  };
}

/** A team's application inference profile and the base model it copies. */
export interface ModelAlias {
  readonly id: pulumi.Output<string>;
  readonly baseModelId: string;
}

/** Parts of the helper settings an area contributes (merged into the `helperSettings` output). */
export type HelperSettingsFragment = Partial<Pick<StageSettings, "telemetry" | "quota" | "distribution">>;

/** What every area's composition returns besides its own typed handles for the areas composed after it. */
export interface StagePart {
  readonly helper?: pulumi.Output<HelperSettingsFragment>;
  /** Extra stack outputs, by name. */
  readonly outputs?: Readonly<Record<string, pulumi.Input<unknown>>>;
}
