import { physicalName } from "../naming";
import type { PackageRegistryArgs } from "./args";
import {
  ACCOUNT_ID,
  CODEARTIFACT_DOMAIN,
  CODEARTIFACT_REPOSITORY,
  GITHUB_REF_NAME,
  GITHUB_REPOSITORY,
  GITHUB_TAG_PATTERN,
  NPM_SCOPED_NAME,
  ONLY_WILDCARDS,
  ORG_ID,
  ROLE_NAME_PATTERN,
} from "../naming/patterns";

export { ORG_ID };
export { ACCOUNT_ID };
export { NPM_SCOPED_NAME };
export const DOMAIN_NAME = CODEARTIFACT_DOMAIN;
export const REPOSITORY_NAME = CODEARTIFACT_REPOSITORY;
/** CodeArtifact tokens and CI sessions: an hour is enough to publish. */
export const PUBLISHER_SESSION_SECONDS = 3600;
/** IAM role names (with `*`/`?` allowed inside, for `aws:PrincipalArn` patterns). */
export { ROLE_NAME_PATTERN };

/** Problems with the args of `PackageRegistry`; empty when fine. */
export function validatePackageRegistryArgs(a: PackageRegistryArgs): string[] {
  const p: string[] = [];
  if (!DOMAIN_NAME.test(a.domainName))
    p.push(`\`domainName\` "${a.domainName}" must be 2–50 lower-case letters, digits and dashes, starting with a letter`);
  else if (physicalName("codeArtifactDomain", [a.domainName]) !== a.domainName)
    p.push(`\`domainName\` "${a.domainName}" is not a valid CodeArtifact domain name`);
  if (!REPOSITORY_NAME.test(a.repositoryName))
    p.push(`\`repositoryName\` "${a.repositoryName}" must be 2–100 letters, digits, \`.\`, \`_\` or \`-\``);
  if (a.packageNames.length === 0) p.push("`packageNames` must name at least one scoped npm package (the helper's)");
  for (const n of a.packageNames)
    if (!NPM_SCOPED_NAME.test(n)) p.push(`\`packageNames\` entry "${n}" must be a scoped npm name (@scope/name)`);
  const r = a.readers;
  if (r.organizationId !== undefined && !ORG_ID.test(r.organizationId))
    p.push(`\`readers.organizationId\` "${r.organizationId}" is not an AWS Organizations id (o-xxxxxxxxxx)`);
  for (const acct of r.accountIds ?? []) if (!ACCOUNT_ID.test(acct)) p.push(`\`readers.accountIds\` entry "${acct}" must be 12 digits`);
  const t = a.publisherTrust;
  if ("roles" in t) {
    if (!ACCOUNT_ID.test(t.roles.accountId)) p.push(`\`publisherTrust.roles.accountId\` "${t.roles.accountId}" must be 12 digits`);
    if (t.roles.roleNames.length === 0) p.push("`publisherTrust.roles.roleNames` must name at least one role (e.g. the CI release role)");
    for (const n of t.roles.roleNames)
      if (!ROLE_NAME_PATTERN.test(n) || ONLY_WILDCARDS.test(n))
        p.push(`\`publisherTrust.roles.roleNames\` entry "${n}" must be an IAM role name (wildcards only within a name)`);
    if (t.roles.organizationId !== undefined && !ORG_ID.test(t.roles.organizationId))
      p.push(`\`publisherTrust.roles.organizationId\` "${t.roles.organizationId}" is not an AWS Organizations id`);
  } else {
    const g = t.github;
    if (!GITHUB_REPOSITORY.test(g.repository)) p.push(`\`publisherTrust.github.repository\` "${g.repository}" must be owner/repo`);
    // A tag alone is not enough: anyone who can push to the repository can push a tag.
    if (!GITHUB_REF_NAME.test(g.environment ?? ""))
      p.push("`publisherTrust.github.environment` must name the protected GitHub environment (required reviewers) whose jobs may publish");
    if (g.tagPattern !== undefined && !GITHUB_TAG_PATTERN.test(g.tagPattern))
      p.push(`\`publisherTrust.github.tagPattern\` "${g.tagPattern}" must be a fixed prefix with at most a trailing * (e.g. helper-v*)`);
  }
  return p;
}
