import type { StageConfig } from "./stage-config";

/**
 * The cross-area answers of a stage, decided once from its configuration so the composition only wires:
 * which account hosts what, which quota sources meter, which key the quota block uses, where the
 * billing API and the release registry are.
 */
export interface StageDecisions {
  /** Telemetry lives in the inference account (a one-account pilot): alarms use the stage topic, no cross-account metrics. */
  readonly telemetryInInferenceAccount: boolean;
  /** Telemetry deploys with the inference account's provider (same account and the same deploy role). */
  readonly telemetryUsesInferenceProvider: boolean;
  /** Where the billing export's API calls go (Data Exports and Cost Explorer answer in us-east-1 only); none without billing. */
  readonly billingApi: "none" | "inference" | "inference-us-east-1";
  /** What quotas meter usage from (each `auto` resolved against the stage). */
  readonly quotaSources: { readonly telemetry: boolean; readonly invocationLogs: boolean };
  /**
   * What the server-side quota block keys on, when the block is on: the email principal tag a Cognito pool
   * maps or the IdP's `emailSessionTag` (never the role session name in direct federation: the caller of
   * AssumeRoleWithWebIdentity chooses it), or, in IAM Identity Center stages, the session name IdC sets
   * to the user's name (the caller cannot choose it).
   */
  readonly quotaBlockKey?: { readonly principalTag: string } | "session-name";
  /** The quota service reads Bedrock list prices daily (quotas on, `quotas.priceSource.enabled`). */
  readonly priceSource: boolean;
  /**
   * The daily reconciliation runs where the analytics workgroup is (a Lambda cannot query another
   * account's Athena): quotas and billing on; in the telemetry account when that is a separate account,
   * which then needs telemetry on for the alarm topic there (its billed-drift alarm notifies it).
   */
  readonly reconciliation: boolean;
  /** Account of the helper registry (`distribution.account`), when distribution is on with CodeArtifact. */
  readonly registryAccountId?: string;
  /** Where the release role publishes: `cicd.release.codeArtifact`, else the stage's CodeArtifact registry (none for `registry.kind: npm`). */
  readonly releaseRegistry?: {
    readonly domain: string;
    readonly repository: string;
    readonly packageName: string;
    /** The registry's account, when it is not the inference account (where CI signs in). */
    readonly ownerAccountId?: string;
  };
  /**
   * The stage's npm registry outside AWS (`distribution.registry.kind: npm`) when CI releases to it: the
   * workflow publishes with a token from a secret, so the release role exists (it reads the stack
   * outputs) but gets no registry rights.
   */
  readonly releaseNpmRegistryUrl?: string;
}

/** Decides a stage's cross-area questions from its (already read) sections. */
export function decideStage(config: Omit<StageConfig, "decisions">): StageDecisions {
  const { accounts, quotas: q, distribution: d, cicd: ci } = config;
  const cognito = config.federation.mode === "cognito-identity-pool";
  // An npm registry outside AWS (`registry.kind: npm`) has no account and nothing for the release role to reach.
  const codeArtifact = d.enabled && d.registry.kind === "codeartifact";
  const registryAccountId = codeArtifact ? (d.account === "telemetry" ? accounts.telemetry.id : accounts.inference.id) : undefined;
  const idc = config.federation.mode === "identity-center";
  const blockTag = cognito ? "email" : idc ? undefined : config.identityProvider?.emailSessionTag;
  const blockKey = idc ? ("session-name" as const) : blockTag ? { principalTag: blockTag } : undefined;
  const release = ci.enabled ? ci.release : undefined;
  const releaseRegistry = release?.codeArtifact
    ? release.codeArtifact
    : release && d.enabled && registryAccountId
      ? {
          // The distribution area's domain defaults to the name prefix too.
          domain: d.domainName ?? config.namePrefix,
          repository: d.repositoryName,
          packageName: d.packageName,
          ...(registryAccountId !== accounts.inference.id ? { ownerAccountId: registryAccountId } : {}),
        }
      : undefined;
  return {
    telemetryInInferenceAccount: accounts.telemetry.id === accounts.inference.id,
    telemetryUsesInferenceProvider:
      accounts.telemetry.id === accounts.inference.id && accounts.telemetry.deployRoleArn === accounts.inference.deployRoleArn,
    billingApi: !config.analytics.billing.enabled ? "none" : config.region === "us-east-1" ? "inference" : "inference-us-east-1",
    quotaSources: {
      telemetry: q.enabled && q.sources.telemetry !== false && config.telemetry.enabled,
      // Cognito identity pool sessions are all named CognitoIdentityCredentials: invocation logs cannot tell users apart.
      invocationLogs: q.enabled && q.sources.invocationLogs !== false && config.inference.invocationLogging.enabled && !cognito,
    },
    priceSource: q.enabled && q.priceSource.enabled,
    reconciliation:
      q.enabled &&
      config.analytics.billing.enabled &&
      config.analytics.billing.reconciliation.enabled &&
      (accounts.telemetry.id === accounts.inference.id || config.telemetry.enabled),
    ...(q.enabled && q.mode === "block" && q.serverSideBlock && blockKey ? { quotaBlockKey: blockKey } : {}),
    ...(registryAccountId ? { registryAccountId } : {}),
    ...(releaseRegistry ? { releaseRegistry } : {}),
    ...(release && !release.codeArtifact && d.enabled && d.registry.kind === "npm" ? { releaseNpmRegistryUrl: d.registry.url } : {}),
  };
}
