/**
 * Pure validation of the GitHub deploy roles' arguments. Each problem names the argument and says
 * how to fix it; the component throws them all at once before any child exists.
 */
import { ACCOUNT_ID, GITHUB_REF_NAME, GITHUB_REPOSITORY, GITHUB_TAG_PATTERN, ORG_ID } from "../naming/patterns";

import type { GitHubDeployRolesArgs, SubjectSpec } from "./args";
import { DEPLOY_GROUPS } from "./perms";

export type { SubjectSpec } from "./args";

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

const CODEARTIFACT_NAME = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;
const CODEARTIFACT_REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/;
const PULUMI_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
export const NPM_SCOPED_NAME = /^@([a-z0-9][a-z0-9._-]*)\/([a-z0-9][a-z0-9._-]*)$/;

/** Every problem of the component's arguments: the shared checks and the account, group, registry and backend ones. */
export function validateGitHubDeployRolesArgs(a: GitHubDeployRolesArgs): string[] {
  return [...validateDeployRoleArgs(a), ...validateTargets(a)];
}

function validateTargets(a: GitHubDeployRolesArgs): string[] {
  const problems: string[] = [];
  if (!/^\d{12}$/.test(a.accountId)) problems.push(`\`accountId\` "${a.accountId}" must be 12 digits`);
  const groupKeys = DEPLOY_GROUPS.map((g) => g.key);
  for (const k of a.permissionGroups ?? [])
    if (!groupKeys.includes(k)) problems.push(`\`permissionGroups\`: "${k}" is not one of ${groupKeys.join(", ")}`);
  for (const n of a.managedRoleNames ?? [])
    if (!/^[\w+=,.@-]{1,64}$/.test(n)) problems.push(`\`managedRoleNames\`: "${n}" is not an IAM role name (no wildcards)`);
  for (const t of a.chainTo ?? []) if (!/^\d{12}$/.test(t)) problems.push(`\`chainTo\`: "${t}" must be a 12-digit account id`);
  if (a.chainTo?.length && !a.github) problems.push("`chainTo` is for the entry account (the one with `github`)");
  const ic = a.identityCenter;
  if (ic) {
    if (!/^arn:aws(?:-[a-z]+)*:sso:::instance\/(?:sso)?ins-[a-zA-Z0-9-.]{16}$/.test(ic.instanceArn))
      problems.push(`\`identityCenter.instanceArn\` "${ic.instanceArn}" is not an IAM Identity Center instance ARN`);
    if (!ic.assignmentAccountIds.length || ic.assignmentAccountIds.some((id) => !/^\d{12}$/.test(id)))
      problems.push("`identityCenter.assignmentAccountIds` must list the 12-digit accounts the permission set is assigned in");
  }
  const ca = a.github?.release?.codeArtifact;
  if (ca) {
    if (!CODEARTIFACT_NAME.test(ca.domain))
      problems.push(`\`github.release.codeArtifact.domain\` "${ca.domain}" is not a CodeArtifact domain name`);
    if (!CODEARTIFACT_REPOSITORY.test(ca.repository))
      problems.push(`\`github.release.codeArtifact.repository\` "${ca.repository}" is not a CodeArtifact repository name`);
    if (!NPM_SCOPED_NAME.test(ca.packageName))
      problems.push(`\`github.release.codeArtifact.packageName\` "${ca.packageName}" must be a scoped npm name (@scope/name)`);
    if (ca.ownerAccountId !== undefined && !/^\d{12}$/.test(ca.ownerAccountId))
      problems.push(`\`github.release.codeArtifact.ownerAccountId\` "${ca.ownerAccountId}" must be 12 digits`);
  }
  if (a.stateBackend) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(a.stateBackend.bucketName))
      problems.push(`\`stateBackend.bucketName\` "${a.stateBackend.bucketName}" is not an S3 bucket name`);
    for (const k of ["project", "stack"] as const) {
      if (!PULUMI_NAME.test(a.stateBackend[k] ?? ""))
        problems.push(`\`stateBackend.${k}\` "${a.stateBackend[k]}" must be a Pulumi ${k} name (letters, digits, -, _, .; no wildcards)`);
    }
    if (
      a.stateBackend.kmsKeyArn !== undefined &&
      !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-f0-9-]{36}$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/mrk-[a-f0-9]{32}$/.test(
        a.stateBackend.kmsKeyArn,
      )
    )
      problems.push(
        "`stateBackend.kmsKeyArn` must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); IAM does not match alias ARNs",
      );
  }
  return problems;
}
