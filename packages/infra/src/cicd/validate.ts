/**
 * Pure validation of the GitHub deploy roles' arguments. Each problem names the argument and says
 * how to fix it; the component throws them all at once before any child exists.
 */
import { ACCOUNT_ID, GITHUB_REF_NAME, GITHUB_REPOSITORY, GITHUB_TAG_PATTERN, ORG_ID } from "../naming/patterns";

/** GitHub's OIDC issuer; IAM keys its conditions on the host. */
export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience aws-actions/configure-aws-credentials requests by default. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/** `owner/name` as GitHub spells it: letters, digits, `-`, `_`, `.`; no wildcards. */
export { GITHUB_REPOSITORY };
/** Branch and environment names that may appear in a subject (no wildcards: each is named). */
export { GITHUB_REF_NAME };
/** Tag patterns for the release role: a fixed prefix, at most a trailing `*` (e.g. `helper-v*`). */
export { GITHUB_TAG_PATTERN };

export const MAX_CI_SESSION_SECONDS = 3600;
export const MIN_CI_SESSION_SECONDS = 900;

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

/** The `sub` values a GitHub job presents, per role. No wildcard in owner or repository, ever. */
export function deploySubjects(s: SubjectSpec): string[] {
  const base = `repo:${s.repository}`;
  const environments = s.deployEnvironments ?? [];
  if (environments.length) return environments.map((e) => `${base}:environment:${e}`);
  return s.deployBranch ? [`${base}:ref:refs/heads/${s.deployBranch}`] : [];
}

/** The `ref` values a deploy job must present as well: the branch, when environments name the subject. */
export function deployRefs(s: SubjectSpec): string[] {
  return s.deployBranch && (s.deployEnvironments ?? []).length ? [`refs/heads/${s.deployBranch}`] : [];
}

/** Pull-request jobs (same repository only: GitHub gives forks no id-token). */
export function previewSubjects(repository: string): string[] {
  return [`repo:${repository}:pull_request`];
}

/**
 * Release jobs: the protected environment, never a tag alone (any writer can push a tag; only the
 * environment's reviewers can let a job into it).
 */
export function releaseSubjects(repository: string, r: { environment: string }): string[] {
  return [`repo:${repository}:environment:${r.environment}`];
}

/** The `ref` a release job must present as well: the release tags (`refs/tags/helper-v*`). */
export function releaseRefs(r: { tagPattern?: string }): string[] {
  return r.tagPattern ? [`refs/tags/${r.tagPattern}`] : [];
}

export interface ValidatableArgs {
  readonly namePrefix: string;
  readonly github?: SubjectSpec & { readonly release?: { readonly tagPattern?: string; readonly environment?: string } };
  readonly chainFrom?: { readonly accountId: string; readonly organizationId?: string };
  readonly accountId?: string;
  readonly allowedRegions: readonly string[];
  readonly maxSessionSeconds?: number;
}

export function validateDeployRoleArgs(a: ValidatableArgs): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(a.namePrefix)) problems.push("`namePrefix` must be 2–41 lower-case letters, digits and dashes");
  if (!a.github && !a.chainFrom)
    problems.push("set `github` (the account CI signs in to) or `chainFrom` (an account CI reaches from there)");
  if (a.github && a.chainFrom) problems.push("set either `github` or `chainFrom`, not both: one trust path per account");
  if (a.github) {
    const g = a.github;
    if (!GITHUB_REPOSITORY.test(g.repository))
      problems.push(`\`github.repository\` "${g.repository}" must be owner/name without wildcards`);
    if (g.deployBranch !== undefined && !GITHUB_REF_NAME.test(g.deployBranch))
      problems.push(`\`github.deployBranch\` "${g.deployBranch}" must be a branch name without wildcards`);
    for (const e of g.deployEnvironments ?? [])
      if (!GITHUB_REF_NAME.test(e)) problems.push(`\`github.deployEnvironments\`: "${e}" must be an environment name without wildcards`);
    if (!g.deployBranch && !(g.deployEnvironments ?? []).length)
      problems.push("`github` needs `deployBranch` or `deployEnvironments`: otherwise no job could deploy");
    if (g.release) {
      if (!g.release.environment)
        problems.push(
          "`github.release.environment` is required: publishing waits for the reviewers of a protected GitHub environment; a tag pattern alone would trust any tag a writer can push",
        );
      if (g.release.tagPattern !== undefined && !GITHUB_TAG_PATTERN.test(g.release.tagPattern))
        problems.push(
          `\`github.release.tagPattern\` "${g.release.tagPattern}" must be a fixed prefix with at most a trailing * (e.g. helper-v*)`,
        );
      if (g.release.environment !== undefined && !GITHUB_REF_NAME.test(g.release.environment))
        problems.push(`\`github.release.environment\` "${g.release.environment}" is not an environment name`);
    }
  }
  if (a.chainFrom) {
    if (!ACCOUNT_ID.test(a.chainFrom.accountId)) problems.push(`\`chainFrom.accountId\` "${a.chainFrom.accountId}" must be 12 digits`);
    const crossAccount = a.accountId === undefined || a.accountId !== a.chainFrom.accountId;
    if (crossAccount && !a.chainFrom.organizationId)
      problems.push("`chainFrom.organizationId` is required: trust of another account's role needs aws:PrincipalOrgID");
    if (a.chainFrom.organizationId !== undefined && !ORG_ID.test(a.chainFrom.organizationId))
      problems.push(`\`chainFrom.organizationId\` "${a.chainFrom.organizationId}" is not an AWS Organizations id`);
  }
  if (a.allowedRegions.length === 0) problems.push("`allowedRegions` needs the stage's Region");
  const s = a.maxSessionSeconds ?? MAX_CI_SESSION_SECONDS;
  if (!Number.isInteger(s) || s < MIN_CI_SESSION_SECONDS || s > MAX_CI_SESSION_SECONDS)
    problems.push(`\`maxSessionSeconds\` must be ${MIN_CI_SESSION_SECONDS}–${MAX_CI_SESSION_SECONDS}: CI sessions are short`);
  return problems;
}

/** Physical names of the CI roles of a stage (deterministic: workflows and other accounts reference them). */
export function ciRoleNames(namePrefix: string): { deploy: string; preview: string; release: string; guardrails: string } {
  return {
    deploy: `${namePrefix}-ci-deploy`,
    preview: `${namePrefix}-ci-preview`,
    release: `${namePrefix}-ci-release`,
    guardrails: `${namePrefix}-ci-guardrails`,
  };
}

/** The environment variable the preview workflow sets so the stage's providers chain into preview roles. */
export const CI_ROLE_KIND_ENV = "CCB_DEPLOY_ROLE_KIND";

/** `preview` when the preview workflow runs the program, else `deploy`. Anything else is a mistake worth stopping for. */
export function ciRoleKind(env: Readonly<Record<string, string | undefined>>): "deploy" | "preview" {
  const v = env[CI_ROLE_KIND_ENV];
  if (v === undefined || v === "" || v === "deploy") return "deploy";
  if (v === "preview") return "preview";
  throw new Error(`${CI_ROLE_KIND_ENV}="${v}" is not valid: use preview (pull-request previews) or leave it unset`);
}

/**
 * The preview role in the account of a deploy role ARN: same partition and account, the stage's
 * `<prefix>-ci-preview`. For the stage's providers during a pull-request preview.
 */
export function previewRoleArnFor(deployRoleArn: string, namePrefix: string): string {
  const m = /^(arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/).+$/.exec(deployRoleArn);
  if (!m) throw new Error(`"${deployRoleArn}" is not an IAM role ARN`);
  return `${m[1]}${ciRoleNames(namePrefix).preview}`;
}
