import type * as pulumi from "@pulumi/pulumi";
import type { NormalisedIssuer } from "../federation/issuer";
import type { ModelPrice } from "../inference/models";
import type { ServiceQuotaDashboard } from "./service-quota-metrics";

/** Bundled Lambda code (the stacks bundle it from packages/telemetry-functions). */
export interface FunctionCode {
  readonly archive: pulumi.asset.Archive;
  readonly handler: string;
}

/** The collector's HTTPS entry point (Application Load Balancer). */
export interface LoadBalancerArgs {
  readonly scheme: "internet-facing" | "internal";
  /** Networks allowed to reach the HTTPS listener. */
  readonly allowedCidrs: readonly string[];
  /** Host name developers' Claude Code sends to (the certificate's name). */
  readonly domainName: string;
  /** An existing ACM certificate for the domain; otherwise one is issued (needs `hostedZoneId`). */
  readonly certificateArn?: string;
  /** Route 53 zone for certificate validation and the alias record. */
  readonly hostedZoneId?: string;
  readonly sslPolicy?: string;
  /** @default true */
  readonly deletionProtection?: boolean;
}

export interface TelemetryServiceArgs {
  /** Stage name (written on every data point as deployment.environment). */
  readonly stage: string;
  /** Prefix of physical names (`ccb-pilot`). */
  readonly namePrefix: string;
  readonly issuer: NormalisedIssuer;
  /** The helper's OAuth client id: the `aud` both the ALB and the collector require. */
  readonly audience: string;
  /** JWKS endpoint; derived from the issuer for Okta, Entra, Auth0 and Cognito. */
  readonly jwksUri?: string;
  /** Format of the `aud` claim in the tokens the helper sends. @default "single-string" */
  readonly audienceFormat?: "single-string" | "string-array";
  /** Claim carrying the user's email (rejected tokens lack it). */
  readonly emailClaim: string;
  readonly attributeClaims: { readonly department?: string; readonly team?: string; readonly costCenter?: string };
  /**
   * Issuers trusted beside the corporate IdP (the token endpoint for IAM callers). The ALB validates such a
   * token in a listener rule chosen by the `x-ccb-token-issuer: <key>` header; the header only picks which
   * issuer's JWKS, audience and signature check runs, so a forged header gains nothing.
   */
  readonly additionalIssuers?: ReadonlyArray<AdditionalIssuer>;
  readonly network: {
    /** CIDR of the VPC the component creates (two public and two private subnets). */
    readonly cidrBlock?: string;
    /** NAT gateways: 1 (cheaper) or 2 (one per zone). @default 1 */
    readonly natGateways?: number;
    /** Interface endpoint for CloudWatch Logs so EMF and events stay on the AWS network. @default false */
    readonly logsEndpoint?: boolean;
    /** Use an existing VPC instead. */
    readonly existing?: {
      readonly vpcId: pulumi.Input<string>;
      readonly cidrBlock: string;
      readonly publicSubnetIds: readonly pulumi.Input<string>[];
      readonly privateSubnetIds: readonly pulumi.Input<string>[];
    };
  };
  readonly loadBalancer: LoadBalancerArgs;
  readonly collector: {
    /** Pinned image, e.g. `otel/opentelemetry-collector-contrib:0.136.0`. */
    readonly image: string;
    /** Fargate CPU units. @default 512 */
    readonly cpu: number;
    /** @default 1024 */
    readonly memoryMiB: number;
    readonly minTasks: number;
    readonly maxTasks: number;
    /** Graviton is cheaper; the contrib image is multi-arch. @default "ARM64" */
    readonly architecture?: "ARM64" | "X86_64";
    /** Keep Claude Code events (tool decisions, API requests) for the operations breakdown. @default true */
    readonly events?: boolean;
  };
  /** Retention of every log group the component creates. */
  readonly logRetentionDays: number;
  /** Days raw OTLP data stays in S3. */
  readonly rawDataExpirationDays: number;
  readonly aggregator: {
    readonly code: FunctionCode;
    /** @default 15 */
    readonly everyMinutes?: number;
    /** @default 10 */
    readonly leaderboardSize?: number;
  };
  readonly dashboard: {
    /** `ModelId` values of the Bedrock widgets (the profile ids the stage calls). */
    readonly bedrockModelIds: readonly string[];
    /** Account of the Bedrock metrics when it is not this one. */
    readonly bedrockAccountId?: string;
    /** Alarms whose state the dashboard shows, by name, and the account they live in (default: this one). */
    readonly alarmNames?: readonly pulumi.Input<string>[];
    readonly alarmAccountId?: string;
    /** Further alarms the dashboard shows, by ARN (alarms of other areas and accounts); its own alarms are always shown. */
    readonly alarmArns?: pulumi.Input<readonly string[]>;
    /** The "Service quotas" section (a `ServiceQuotaMonitor`'s `dashboard`, in the Bedrock metrics' account). */
    readonly serviceQuotas?: ServiceQuotaDashboard;
  };
  /** Prices for cost and savings, by base model id. @default the catalog's list prices */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
  /**
   * Model ids Claude Code reports that are not base model ids, priced as a base model: the teams'
   * application inference profile ARNs (team users call those, so their `model` attribute is the ARN).
   */
  readonly modelAliases?: readonly { readonly id: pulumi.Input<string>; readonly baseModelId: string }[];
  /** Topic for the component's own alarms (no healthy collector, negative cache savings); same account. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /**
   * When the stage's alarm topic is in another account (`alarmTopicArn` unset): the component creates its
   * own encrypted alarm topic in this account, with these email subscriptions (the stage topic's), and
   * sends its alarms there. Mutually exclusive with `alarmTopicArn`.
   */
  readonly alarmEmails?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

/** An issuer trusted beside the corporate IdP (see `additionalIssuers`). */
export interface AdditionalIssuer {
  readonly key: string;
  readonly issuerUrl: pulumi.Input<string>;
  readonly jwksUri: pulumi.Input<string>;
  readonly audience: string;
  readonly usernameClaim: string;
}

/** Header whose value picks the listener rule (and so the issuer) a bearer token is validated against. */
export const TOKEN_ISSUER_HEADER = "x-ccb-token-issuer";
