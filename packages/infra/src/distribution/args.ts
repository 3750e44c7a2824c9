import type * as pulumi from "@pulumi/pulumi";

/** CI roles by name in one account; another account's roles also need `organizationId` or `externalId`. */
export interface PublisherRoles {
  readonly accountId: string;
  readonly roleNames: readonly string[];
  readonly organizationId?: string;
  readonly externalId?: pulumi.Input<string>;
}

/** Who may read (install) from the registry besides principals of the registry's own account. */
export interface RegistryReaders {
  /** Every principal of this AWS Organization (`aws:PrincipalOrgID`). */
  readonly organizationId?: string;
  /** Whole accounts (their IAM policies decide which principals). */
  readonly accountIds?: readonly string[];
  /** Exact principals, e.g. the federated developer role of another account. */
  readonly principalArns?: readonly pulumi.Input<string>[];
}

/**
 * GitHub Actions jobs through the account's GitHub OIDC provider, trusted as the CI release role is: the
 * protected environment in `sub` (any writer can push a tag; only the environment's reviewers can let a
 * job into it) and, with `tagPattern`, the release tags in the `ref` claim as well. Both must hold.
 */
export interface GitHubPublisher {
  /** ARN of the account's `token.actions.githubusercontent.com` OIDC provider. */
  readonly providerArn: pulumi.Input<string>;
  /** `owner/repo` */
  readonly repository: string;
  /** The protected environment whose jobs may publish (`sub` = `repo:<owner>/<repo>:environment:<name>`). */
  readonly environment: string;
  /** Release tags the job must run on besides (`ref` = `refs/tags/<tagPattern>`), e.g. `helper-v*`. */
  readonly tagPattern?: string;
}

/**
 * Who may assume the publisher role:
 * - `roles`: CI roles by name in one account (e.g. the GitHub Actions release role `<prefix>-ci-release`).
 *   The trust names the account and matches the roles with `aws:PrincipalArn`, so it can be deployed
 *   before the roles exist; another account's roles also need `organizationId` or `externalId`.
 * - `github`: GitHub Actions jobs in a protected environment (optionally pinned to release tags).
 */
export type PublisherTrust = { readonly roles: PublisherRoles } | { readonly github: GitHubPublisher };

export interface PackageRegistryArgs {
  /** CodeArtifact domain (physical name, 2–50 chars), e.g. `ccb-pilot`. */
  readonly domainName: string;
  /** npm repository in the domain, e.g. `claude-code`. */
  readonly repositoryName: string;
  /** Scoped npm packages published here (`@acme/claude-bedrock`); each also gets a generic `<name>-executables` package. */
  readonly packageNames: readonly string[];
  /** Customer managed key for the domain's assets; a key with rotation is created when omitted. */
  readonly kmsKeyArn?: pulumi.Input<string>;
  readonly readers: RegistryReaders;
  readonly publisherTrust: PublisherTrust;
  /**
   * Proxy public npmjs.com through an upstream repository. Off by default: the helper has no runtime
   * dependencies, and an upstream lets a same-named public package be resolved (dependency confusion)
   * until origin controls block it. Turn on only if developers install other packages from here.
   */
  readonly upstreamNpmjs?: boolean;
  /** Physical name of the publisher role; autonamed when omitted. */
  readonly publisherRoleName?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}
