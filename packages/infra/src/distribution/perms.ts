/**
 * IAM actions of the distribution module (AWS CodeArtifact). Named one by one, never `codeartifact:*`.
 *
 * Reading an npm package through CodeArtifact takes a token (`GetAuthorizationToken` on the domain,
 * which itself calls `sts:GetServiceBearerToken`) and `ReadFromRepository` on the repository. The rest
 * serve the developer's and the helper's view of the package: the endpoint, versions, the README on
 * the package page, and the executables' assets of the generic package.
 */

/** Getting a registry token: on the domain. */
export const TOKEN_ACTIONS = ["codeartifact:GetAuthorizationToken"] as const;

/** Called by CodeArtifact on the caller's behalf; has no resource, so it is conditioned on the service name. */
export const BEARER_TOKEN_ACTIONS = ["sts:GetServiceBearerToken"] as const;

/** Reading through the repository (npm install, npm view, the helper's update check). */
export const READ_REPOSITORY_ACTIONS = ["codeartifact:GetRepositoryEndpoint", "codeartifact:ReadFromRepository"] as const;

/** Looking at the helper's packages: versions, README, the executables of the generic package. */
export const READ_PACKAGE_ACTIONS = [
  "codeartifact:DescribePackage",
  "codeartifact:DescribePackageVersion",
  "codeartifact:GetPackageVersionAsset",
  "codeartifact:GetPackageVersionReadme",
  "codeartifact:ListPackageVersionAssets",
  "codeartifact:ListPackageVersions",
] as const;

/** Everything a reader gets in the repository's resource policy. */
export const READER_ACTIONS = [...READ_REPOSITORY_ACTIONS, ...READ_PACKAGE_ACTIONS] as const;

/**
 * Publishing the helper's npm package and its executables (generic package), plus pinning their origin
 * controls to "publish allowed, upstream blocked" so a same-named public package can never be served.
 * No `DeletePackageVersions`/`DisposePackageVersions`: a bad release is superseded, not erased.
 */
export const PUBLISH_PACKAGE_ACTIONS = [
  "codeartifact:DescribePackageVersion",
  "codeartifact:ListPackageVersions",
  "codeartifact:PublishPackageVersion",
  "codeartifact:PutPackageMetadata",
  "codeartifact:PutPackageOriginConfiguration",
] as const;

/** Actions a repository or domain resource policy may grant at all: reads and tokens, never writes. */
export const RESOURCE_POLICY_ALLOWED_ACTIONS: readonly string[] = [...TOKEN_ACTIONS, ...READER_ACTIONS];
