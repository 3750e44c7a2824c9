import { naming } from "@ccb/infra";
import { type ConfigProblems, type Reader, REGION } from "./problems";

const {
  CODEARTIFACT_DOMAIN,
  CODEARTIFACT_REPOSITORY,
  GITHUB_OIDC_PROVIDER_ARN,
  GITHUB_REF_NAME,
  GITHUB_REPOSITORY,
  GITHUB_TAG_PATTERN,
  S3_BUCKET_NAME,
} = naming.patterns;

/**
 * The `stage.cicd` section: the roles GitHub Actions assumes (through GitHub's OIDC provider) to
 * preview and deploy this stage, created in every account of the stage. Off unless the stage
 * enables it; the first deploy with it on is run by an administrator (docs/ci-cd.md, "First run").
 */
export interface CicdConfig {
  readonly enabled: boolean;
  readonly github?: {
    /** `owner/name` of the repository whose workflows deploy this stage. */
    readonly repository: string;
    /** With `deployEnvironments`: their jobs must run on this branch (token `ref` claim). Alone: pushes to it deploy. */
    readonly deployBranch?: string;
    /** GitHub environments whose jobs deploy this stage (prod: `production`, with required reviewers). */
    readonly deployEnvironments: readonly string[];
    /** Read-only preview role for pull requests. */
    readonly previewOnPullRequests: boolean;
    /** The account's existing provider for token.actions.githubusercontent.com, if there is one. */
    readonly existingOidcProviderArn?: string;
  };
  /** Publishing the credential helper: from a protected environment (required reviewers), on the release tags. */
  readonly release?: {
    /** The tags the release jobs run on (`helper-v*`): pinned with the token's `ref` claim. */
    readonly tagPattern?: string;
    /** The protected GitHub environment whose jobs may publish (required reviewers); required. */
    readonly environment: string;
    /** Where to publish; default: the stage's `distribution` registry (domain, repository, package name, account). */
    readonly codeArtifact?: { readonly domain: string; readonly repository: string; readonly packageName: string };
  };
  /** Self-managed Pulumi backend: the S3 state bucket and the awskms secrets key the CI roles use. Omit for Pulumi Cloud. */
  readonly stateBackend?: { readonly bucket: string; readonly kmsKeyArn?: string };
  /** An organisation-provided permissions boundary for the CI roles. */
  readonly permissionsBoundaryArn?: string;
  /**
   * Regions besides the stage's Region (and the secrets key's) where CI may act: the state bucket's
   * Region if it differs, us-east-1 for certificates of global services.
   */
  readonly additionalRegions: readonly string[];
  /** Longest CI session, 15–60 minutes. */
  readonly maxSessionMinutes: number;
}

export function parseCicdConfig(r: Reader | undefined, p: ConfigProblems): CicdConfig {
  const enabled = r?.bool("enabled", false) ?? false;
  if (!r || !enabled) return { enabled: false, additionalRegions: [], maxSessionMinutes: 60 };

  const g = r.child("github");
  let github: CicdConfig["github"];
  if (g) {
    const repository = g.str("repository", {
      pattern: GITHUB_REPOSITORY,
      hint: "owner/name of the GitHub repository, without wildcards (e.g. example-org/claude-code-bedrock)",
    });
    const deployBranch = g.optStr("deployBranch", { pattern: GITHUB_REF_NAME, hint: "a branch name such as main, without wildcards" });
    const deployEnvironments = g.strList("deployEnvironments", {
      default: [],
      pattern: GITHUB_REF_NAME,
      hint: "GitHub environment names, without wildcards",
    });
    if (!deployBranch && deployEnvironments.length === 0) {
      p.add(
        g.key("deployEnvironments"),
        "name the GitHub environment that deploys this stage (e.g. [production]) or set deployBranch: main; otherwise no job could deploy",
      );
    }
    const existingOidcProviderArn = g.optStr("existingOidcProviderArn", {
      pattern: GITHUB_OIDC_PROVIDER_ARN,
      hint: "the ARN of the account's IAM OIDC provider for token.actions.githubusercontent.com",
    });
    github = {
      repository,
      ...(deployBranch ? { deployBranch } : {}),
      deployEnvironments,
      previewOnPullRequests: g.bool("previewOnPullRequests", true),
      ...(existingOidcProviderArn ? { existingOidcProviderArn } : {}),
    };
  }

  const rel = r.child("release", false);
  let release: CicdConfig["release"];
  if (rel) {
    const tagPattern = rel.optStr("tagPattern", {
      pattern: GITHUB_TAG_PATTERN,
      hint: "a tag prefix with at most a trailing *, e.g. helper-v*",
    });
    const environment = rel.optStr("environment", { pattern: GITHUB_REF_NAME, hint: "a GitHub environment name" });
    if (!environment) {
      p.add(
        rel.key("environment"),
        "name the protected GitHub environment whose jobs may publish the helper (e.g. helper-release, with required reviewers and only helper-v* tags allowed); a tag pattern alone would let anyone who can push a tag publish",
      );
    }
    const ca = rel.child("codeArtifact", false);
    release = {
      ...(tagPattern ? { tagPattern } : {}),
      environment: environment ?? "",
      ...(ca
        ? {
            codeArtifact: {
              domain: ca.str("domain", {
                pattern: CODEARTIFACT_DOMAIN,
                hint: "the CodeArtifact domain (2–50 lower-case letters, digits, dashes)",
              }),
              repository: ca.str("repository", { pattern: CODEARTIFACT_REPOSITORY, hint: "the CodeArtifact repository name" }),
              packageName: ca.str("packageName", {
                pattern: /^@[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/,
                hint: "the helper's scoped npm name, e.g. @example/claude-bedrock",
              }),
            },
          }
        : {}),
    };
  }

  const sb = r.child("stateBackend", false);
  let stateBackend: CicdConfig["stateBackend"];
  if (sb) {
    const bucket = sb.str("bucket", {
      pattern: S3_BUCKET_NAME,
      hint: "the S3 bucket of the Pulumi backend (s3://<bucket>), e.g. example-pulumi-state",
    });
    const kmsKeyArn = sb.optStr("kmsKeyArn", {
      pattern: /^arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/(?:[a-f0-9-]{36}|mrk-[a-f0-9]{32})$/,
      hint: "the key ARN of the awskms secrets provider (arn:aws:kms:<region>:<account>:key/<id>; IAM does not match alias ARNs)",
    });
    stateBackend = { bucket, ...(kmsKeyArn ? { kmsKeyArn } : {}) };
  }

  const permissionsBoundaryArn = r.optStr("permissionsBoundaryArn", {
    pattern: /^arn:aws(?:-[a-z]+)*:iam::\d{12}:policy\/[\w+=,.@/-]+$/,
    hint: "an IAM managed policy ARN",
  });
  const additionalRegions = r.strList("additionalRegions", { default: [], pattern: REGION, hint: "AWS Regions such as us-east-1" });
  const maxSessionMinutes = r.num("maxSessionMinutes", { min: 15, max: 60, default: 60 });

  return {
    enabled,
    ...(github ? { github } : {}),
    ...(release ? { release } : {}),
    ...(stateBackend ? { stateBackend } : {}),
    ...(permissionsBoundaryArn ? { permissionsBoundaryArn } : {}),
    additionalRegions,
    maxSessionMinutes,
  };
}
