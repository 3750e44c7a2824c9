import type * as pulumi from "@pulumi/pulumi";

/** Arguments of the GitHub deploy roles (types only: `validate.ts` checks them, the builders read them). */

/**
 * Who may deploy. GitHub's `sub` claim names either the job's environment or its ref, never both, so a
 * branch and environments together are pinned with two claims: `sub` = the environment and `ref` = the
 * branch (a GitHub claim IAM evaluates in trust policies, `token.actions.githubusercontent.com:ref`).
 */
export interface SubjectSpec {
  readonly repository: string;
  /**
   * The branch deploys run on. With `deployEnvironments`: the environments' jobs must run on it (the
   * token's `ref` claim is `refs/heads/<branch>`). Alone: pushes to it deploy (`ref:refs/heads/<branch>`).
   */
  readonly deployBranch?: string;
  /** Jobs running in these GitHub environments may deploy (`environment:<name>`). */
  readonly deployEnvironments?: readonly string[];
}

/** Publishing the credential helper from a tag (see `.github/workflows/release-helper.yml`). */
export interface ReleaseArgs {
  /**
   * The protected GitHub environment whose jobs may publish (`environment:<name>`): required reviewers
   * approve each release, and the environment admits only the release tags. Required: a tag pattern
   * alone would trust any tag a writer can push.
   */
  readonly environment: string;
  /**
   * The tags those jobs must run on, e.g. `helper-v*`: the token's `ref` claim must be
   * `refs/tags/<pattern>` as well (IAM evaluates GitHub's `ref` claim besides `sub`).
   */
  readonly tagPattern?: string;
  /**
   * The CodeArtifact repository the role publishes to. Omitted for a stage whose helper goes to another
   * npm registry (`distribution.registry.kind: npm`): CI publishes there with a token from a CI secret,
   * so the role gets no CodeArtifact rights at all and only reads the stack outputs.
   */
  readonly codeArtifact?: {
    readonly domain: string;
    readonly repository: string;
    /** The helper's npm name, `@scope/name`; the executables go to the generic package `<name>-executables`. */
    readonly packageName: string;
    /** Account that owns the domain, when it is not this one (its domain and repository policies must admit this role). */
    readonly ownerAccountId?: string;
  };
}

/** The account CI signs in to with GitHub's OIDC token. */
export interface GitHubEntryArgs extends SubjectSpec {
  /** Create the read-only preview role for pull requests. @default true */
  readonly previewOnPullRequests?: boolean;
  /** Use the account's existing provider for token.actions.githubusercontent.com (there can be one per account). */
  readonly existingOidcProviderArn?: pulumi.Input<string>;
  readonly release?: ReleaseArgs;
}

/** Pulumi's self-managed backend: the S3 bucket holding state and the KMS key of the `awskms` secrets provider. */
export interface StateBackendArgs {
  readonly bucketName: string;
  readonly kmsKeyArn?: string;
  /**
   * The Pulumi project and stack whose state these roles use: the bucket may hold every stage's state
   * (`Pulumi.prod.yaml`: same backend as pilot), so the roles reach only this stack's objects.
   */
  readonly project: string;
  readonly stack: string;
}

/** The IAM Identity Center instance this account administers for the stage (the stage's permission set lives there). */
export interface IdentityCenterDeployArgs {
  /** `arn:aws:sso:::instance/ssoins-…` */
  readonly instanceArn: string;
  /** Accounts the stage assigns its permission set in (the inference account). */
  readonly assignmentAccountIds: readonly string[];
}

export interface GitHubDeployRolesArgs {
  /** Prefix of the roles' physical names: `<prefix>-ci-deploy`, `<prefix>-ci-preview`, `<prefix>-ci-release`. */
  readonly namePrefix: string;
  /** The account these roles live in (the provider's; used to tell same-account from cross-account trust). */
  readonly accountId: string;
  /** Set for the account CI signs in to (the stage's inference account). */
  readonly github?: GitHubEntryArgs;
  /** Set for the stage's other accounts: CI reaches them by chaining from the entry account's roles. */
  readonly chainFrom?: { readonly accountId: string; readonly organizationId?: string; readonly preview?: boolean };
  /** Accounts whose CI roles these roles chain into (Pulumi's per-account providers assume them). */
  readonly chainTo?: readonly string[];
  /**
   * Existing roles (not named with the prefix) the program attaches policies to in this account,
   * e.g. the source roles of cross-account access in a workload account.
   */
  readonly managedRoleNames?: readonly string[];
  /**
   * Which deploy permission groups (`DEPLOY_GROUPS` keys) this account's deploy role gets: what the
   * program deploys there. @default every group
   */
  readonly permissionGroups?: readonly string[];
  /**
   * This account administers the stage's IAM Identity Center instance: the deploy role may manage the
   * stage's permission sets and assignments there (the preview role may read them). Omit elsewhere.
   */
  readonly identityCenter?: IdentityCenterDeployArgs;
  /** Regions CI may act in; everything else is denied (global services excepted). */
  readonly allowedRegions: readonly string[];
  readonly stateBackend?: StateBackendArgs;
  /**
   * The permissions boundary the CI roles carry: the account's workload boundary (`WorkloadBoundary`),
   * or one your organisation provides.
   */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  /**
   * The account holds the stage's developer boundary (the inference account): CI may create and change
   * roles under it as well as under the account's workload boundary. Roles with neither it cannot touch.
   */
  readonly developerBoundary?: boolean;
  /** @default 3600 (1 hour, the most a CI session needs) */
  readonly maxSessionSeconds?: number;
  readonly tags?: Record<string, string>;
}
