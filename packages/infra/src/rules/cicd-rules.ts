import { asList, parsePolicy, type StatementJson } from "../iam/parse";
import type { RecordedResource } from "../testing/recorder";
import type { SecurityRule } from "./types";

/**
 * Security rules of the cicd module: roles that GitHub Actions assumes through GitHub's OIDC
 * provider. The generic federated-trust rule checks that some audience and subject are pinned;
 * these check what "pinned" means for GitHub, where `sub` is `repo:<owner>/<repo>:<context>` and a
 * wildcard in the wrong place hands the role to every repository of an organisation (or all of GitHub).
 */

const ROLE = "aws:iam/role:Role";
export const GITHUB_HOST = "token.actions.githubusercontent.com";
/** Longest session a CI role needs. */
export const MAX_CI_SESSION = 3600;

/** Trust statements of a role whose federated principal is GitHub's OIDC provider. */
function githubStatements(r: RecordedResource): StatementJson[] {
  return (parsePolicy(r.inputs.assumeRolePolicy)?.Statement ?? []).filter((s) => {
    const federated = typeof s.Principal === "object" ? s.Principal.Federated : undefined;
    return s.Effect === "Allow" && typeof federated === "string" && federated.endsWith(`oidc-provider/${GITHUB_HOST}`);
  });
}

/** Values of every condition on `key`, by operator. */
function conditionValues(s: StatementJson, key: string): Array<{ op: string; values: string[] }> {
  return Object.entries(s.Condition ?? {}).flatMap(([op, kv]) =>
    Object.entries(kv)
      .filter(([k]) => k === key)
      .map(([, v]) => ({ op, values: asList(v).map(String) })),
  );
}

const LITERAL_REPO = /^repo:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+:(.+)$/;
/** The only wildcard allowed: after a fixed prefix of a tag or branch name (`ref:refs/tags/helper-v*`). */
const PREFIXED_REF = /^ref:refs\/(tags|heads)\/[A-Za-z0-9._/-]{2,}\*$/;

/** Problems with one `sub` value; empty when it names one repository and one context. */
export function githubSubjectProblems(sub: string): string[] {
  const m = LITERAL_REPO.exec(sub);
  if (!m) return [`subject "${sub}" does not name one repository as repo:<owner>/<repo>:<context> without wildcards`];
  const context = m[1]!;
  if (!/[*?]/.test(context)) return [];
  return PREFIXED_REF.test(context) ? [] : [`subject "${sub}" has a wildcard that admits any branch, pull request or environment`];
}

export const githubTrustPinned: SecurityRule = {
  id: "cicd-github-trust-pinned",
  description:
    "Roles trusted by GitHub Actions pin aud to sts.amazonaws.com and sub to one repository and named branches, environments or tag prefixes",
  types: [ROLE],
  check(r) {
    const out: string[] = [];
    for (const s of githubStatements(r)) {
      const aud = conditionValues(s, `${GITHUB_HOST}:aud`);
      if (!aud.some((c) => c.op === "StringEquals" && c.values.length > 0 && c.values.every((v) => v === "sts.amazonaws.com"))) {
        out.push(`GitHub trust ${s.Sid ?? ""} does not require StringEquals ${GITHUB_HOST}:aud = sts.amazonaws.com`.replace("  ", " "));
      }
      const sub = conditionValues(s, `${GITHUB_HOST}:sub`).filter((c) => c.op === "StringEquals" || c.op === "StringLike");
      if (sub.length === 0)
        out.push(
          `GitHub trust ${s.Sid ?? ""} does not restrict ${GITHUB_HOST}:sub: every repository on GitHub could assume the role`.replace(
            "  ",
            " ",
          ),
        );
      for (const c of sub) {
        for (const v of c.values) {
          const problems = githubSubjectProblems(v);
          // StringEquals compares literally: a `*` there is harmless but a mistake worth reporting.
          out.push(
            ...problems.map((p) =>
              c.op === "StringEquals" && p.includes("wildcard") ? `${p} (and StringEquals would never match it)` : p,
            ),
          );
        }
      }
    }
    return out;
  },
};

export const githubRoleSessionShort: SecurityRule = {
  id: "cicd-github-role-session-short",
  description: "Roles trusted by GitHub Actions allow sessions of at most one hour",
  types: [ROLE],
  check(r) {
    if (githubStatements(r).length === 0) return [];
    const max = r.inputs.maxSessionDuration;
    return max !== undefined && Number(max) > MAX_CI_SESSION ? [`maxSessionDuration ${max} exceeds ${MAX_CI_SESSION} for a CI role`] : [];
  },
};

export const pullRequestRoleSeparate: SecurityRule = {
  id: "cicd-pull-request-role-separate",
  description: "A role that pull-request jobs can assume is not also a deploy role (branch, environment or tag subjects)",
  types: [ROLE],
  check(r) {
    const subs = githubStatements(r).flatMap((s) => conditionValues(s, `${GITHUB_HOST}:sub`).flatMap((c) => c.values));
    const pr = subs.filter((v) => /:pull_request$/.test(v));
    const deploy = subs.filter((v) => /:(ref:refs\/|environment:)/.test(v));
    return pr.length && deploy.length
      ? [`trusts pull requests (${pr.join(", ")}) and deploy subjects (${deploy.join(", ")}) in one role: code under review could deploy`]
      : [];
  },
};

/** Security rules of the cicd module. */
export const CICD_RULES: SecurityRule[] = [githubTrustPinned, githubRoleSessionShort, pullRequestRoleSeparate];
