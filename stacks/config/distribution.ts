import { naming } from "@ccb/infra";
import { ACCOUNT_ID, type ConfigProblems, type Reader } from "./problems";

const {
  CODEARTIFACT_DOMAIN,
  CODEARTIFACT_REPOSITORY,
  GITHUB_OIDC_PROVIDER_ARN,
  GITHUB_REPOSITORY,
  GITHUB_TAG_PATTERN,
  NPM_SCOPED_NAME,
  ONLY_WILDCARDS,
  ROLE_NAME_PATTERN,
} = naming.patterns;

/** Publishing from CI roles of one account (by name; they need not exist yet). */
export interface PublisherRolesConfig {
  readonly kind: "roles";
  /** Account of the CI roles; defaults to the registry's account. */
  readonly accountId?: string;
  readonly roleNames: readonly string[];
}

/**
 * Publishing straight from GitHub Actions through its OIDC provider (no CI role in between), trusted as
 * the CI release role is: jobs of a protected environment, optionally only on the release tags too.
 */
export interface PublisherGithubConfig {
  readonly kind: "github";
  readonly oidcProviderArn: string;
  /** `owner/repo` */
  readonly repository: string;
  /** The protected environment (required reviewers) whose jobs may publish: the token's `sub`. */
  readonly environment: string;
  /** And only from these release tags, e.g. `helper-v*`: the token's `ref` claim besides. */
  readonly tagPattern?: string;
}

/**
 * Where the helper is published and installed from:
 * - `codeartifact` (default): a CodeArtifact domain and repository this stage creates, published by a
 *   role CI assumes; developers sign in to it with AWS credentials (`aws codeartifact login`);
 * - `npm`: an npm registry the organisation already runs (Artifactory, Nexus, GitHub Packages,
 *   Verdaccio) at `url`: nothing is created in AWS, the release workflow publishes with a token from the
 *   release environment's secret `HELPER_NPM_TOKEN`, developers install with the npm they already have
 *   configured (no AWS credentials needed before the helper is installed).
 */
export type RegistryConfig = { readonly kind: "codeartifact" } | { readonly kind: "npm"; readonly url: string };

/** The keys that describe a CodeArtifact registry; refused with `registry.kind: npm`. */
const CODEARTIFACT_KEYS = [
  "account",
  "domainName",
  "repositoryName",
  "upstreamNpmjs",
  "readers",
  "developerRoleReads",
  "publisher",
] as const;

/** An https registry URL without query or fragment (npm joins package paths onto it). */
const NPM_REGISTRY_URL = /^https:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~%/@+-]*)?$/;

/** The `stage.distribution` section: the npm registry the helper is installed from. */
export interface DistributionConfig {
  readonly enabled: boolean;
  readonly registry: RegistryConfig;
  /** The helper's scoped npm name, e.g. `@acme/claude-bedrock`. */
  readonly packageName: string;
  /** Account that holds the registry. */
  readonly account: "inference" | "telemetry";
  /** CodeArtifact domain; defaults to the stage's name prefix. */
  readonly domainName?: string;
  readonly repositoryName: string;
  /** Proxy npmjs.com through an upstream repository (off: supply-chain safety, see docs/distribution.md). */
  readonly upstreamNpmjs: boolean;
  readonly readers: {
    /** Every principal of the stage's `organizationId` may read. */
    readonly organization: boolean;
    readonly accountIds: readonly string[];
  };
  /** The federated developer role may read the registry (upgrades with the helper's own profile). */
  readonly developerRoleReads: boolean;
  readonly publisher?: PublisherRolesConfig | PublisherGithubConfig;
}

const OFF: DistributionConfig = {
  enabled: false,
  registry: { kind: "codeartifact" },
  packageName: "",
  account: "inference",
  repositoryName: "claude-code",
  upstreamNpmjs: false,
  readers: { organization: false, accountIds: [] },
  developerRoleReads: false,
};

export function parseDistributionConfig(r: Reader | undefined, p: ConfigProblems): DistributionConfig {
  const enabled = r?.bool("enabled", false) ?? false;
  if (!r || !enabled) return OFF;
  const packageName = r.str("packageName", {
    pattern: NPM_SCOPED_NAME,
    hint: "a scoped npm name such as @acme/claude-bedrock (the scope keeps it off public npm)",
  });
  const account = r.oneOf("account", ["inference", "telemetry"] as const, "inference");
  const reg = r.child("registry", false);
  const kind = reg?.oneOf("kind", ["codeartifact", "npm"] as const, "codeartifact") ?? "codeartifact";
  if (reg && kind === "npm") {
    const url = reg.str("url", {
      pattern: NPM_REGISTRY_URL,
      hint: "the registry's https URL, e.g. https://npm.example.com/ or https://artifactory.example.com/api/npm/npm-internal/",
    });
    for (const k of CODEARTIFACT_KEYS)
      if (r.has(k)) p.add(r.key(k), "describes a CodeArtifact registry: remove it (registry.kind is npm, which creates nothing in AWS)");
    return { ...OFF, enabled, registry: { kind, url }, packageName, account };
  }
  const domainName = r.optStr("domainName", {
    pattern: CODEARTIFACT_DOMAIN,
    hint: "2–50 lower-case letters, digits and dashes, starting with a letter",
  });
  const repositoryName = r.str("repositoryName", {
    pattern: CODEARTIFACT_REPOSITORY,
    hint: "2–100 letters, digits, `.`, `_` or `-`",
    default: "claude-code",
  });
  const upstreamNpmjs = r.bool("upstreamNpmjs", false);
  const readersR = r.child("readers", false);
  const readers = {
    organization: readersR?.bool("organization", false) ?? false,
    accountIds: readersR?.strList("accountIds", { pattern: ACCOUNT_ID, hint: "12-digit account ids, quoted in YAML", default: [] }) ?? [],
  };
  const developerRoleReads = r.bool("developerRoleReads", true);

  let publisher: DistributionConfig["publisher"];
  const pub = r.child("publisher", false);
  if (!pub) {
    p.add(
      r.key("publisher"),
      "is required when distribution is enabled: set `roleNames` (the CI release role, e.g. <namePrefix>-ci-release) or `github`",
    );
  } else if (pub.has("github") && pub.has("roleNames")) {
    p.add(pub.key("github"), "set either `roleNames` or `github`, not both");
  } else if (pub.has("github")) {
    const g = pub.child("github")!;
    const tagPattern = g?.optStr("tagPattern", { pattern: GITHUB_TAG_PATTERN, hint: "a tag name or prefix ending in *, e.g. helper-v*" });
    const environment = g?.optStr("environment", { pattern: /^[\w.-]{1,255}$/, hint: "a GitHub environment name" });
    // A tag alone is no gate: anyone who can push to the repository can push a tag. The environment's
    // reviewers are; the tag pattern only narrows it further.
    if (g && environment === undefined)
      p.add(
        g.key("environment"),
        `is required: the protected GitHub environment (required reviewers) whose jobs may publish${
          tagPattern !== undefined ? "; `tagPattern` alone would let anyone who can push a tag publish (it pins the tags besides)" : ""
        }`,
      );
    publisher = {
      kind: "github",
      oidcProviderArn:
        g?.str("oidcProviderArn", {
          pattern: GITHUB_OIDC_PROVIDER_ARN,
          hint: "the ARN of the account's token.actions.githubusercontent.com OIDC provider",
        }) ?? "",
      repository: g?.str("repository", { pattern: GITHUB_REPOSITORY, hint: "owner/repo" }) ?? "",
      environment: environment ?? "",
      ...(tagPattern ? { tagPattern } : {}),
    };
  } else {
    const roleNames = pub.strList("roleNames", { pattern: ROLE_NAME_PATTERN, hint: "IAM role names, e.g. ccb-pilot-ci-release", min: 1 });
    roleNames.forEach((n, i) => {
      if (ONLY_WILDCARDS.test(n)) p.add(`${pub.key("roleNames")}[${i}]`, "must not be only a wildcard: name the CI role");
    });
    const accountId = pub.optStr("accountId", { pattern: ACCOUNT_ID, hint: "a 12-digit account id, quoted in YAML" });
    publisher = { kind: "roles", roleNames, ...(accountId ? { accountId } : {}) };
  }
  return {
    enabled,
    registry: { kind: "codeartifact" },
    packageName,
    account,
    ...(domainName ? { domainName } : {}),
    repositoryName,
    upstreamNpmjs,
    readers,
    developerRoleReads,
    ...(publisher ? { publisher } : {}),
  };
}
