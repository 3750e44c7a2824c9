/**
 * The distribution module: the internal npm registry (AWS CodeArtifact) developers install the
 * credential helper from. See docs/distribution.md.
 */
export { PackageRegistry, npmNamespace, readerPrincipals, TOKEN_SECONDS } from "./package-registry";
export type { GitHubPublisher, PackageRegistryArgs, PublisherRoles, PublisherTrust, RegistryReaders } from "./args";
export * as perms from "./perms";
export { validatePackageRegistryArgs } from "./validate";
