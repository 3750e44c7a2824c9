import { ACCOUNT, role, type RuleFixture } from "./fixtures";

const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const github = (condition: unknown, sid = "GitHubDeploy") => ({
  Sid: sid,
  Effect: "Allow",
  Principal: { Federated: GITHUB },
  Action: ["sts:AssumeRoleWithWebIdentity"],
  Condition: condition,
});
const aud = { "token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"] };

/** One compliant and one non-compliant fixture per cicd rule. */
export const CICD_FIXTURES: Record<string, RuleFixture> = {
  "cicd-github-trust-pinned": {
    good: [
      role(
        "deploy",
        github({
          StringEquals: {
            ...aud,
            "token.actions.githubusercontent.com:sub": [
              "repo:example/claude-code-bedrock:ref:refs/heads/main",
              "repo:example/claude-code-bedrock:environment:production",
            ],
          },
        }),
      ),
      role(
        "release",
        github({
          StringEquals: aud,
          StringLike: { "token.actions.githubusercontent.com:sub": ["repo:example/claude-code-bedrock:ref:refs/tags/helper-v*"] },
        }),
      ),
    ],
    // The classic mistake: the whole organisation (every repository, every branch) may deploy.
    bad: [role("deploy", github({ StringEquals: aud, StringLike: { "token.actions.githubusercontent.com:sub": ["repo:example/*"] } }))],
    expect: /"repo:example\/\*" does not name one repository/,
  },
  "cicd-github-role-session-short": {
    good: [
      role(
        "deploy",
        github({ StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": "repo:example/app:ref:refs/heads/main" } }),
        { maxSessionDuration: 3600 },
      ),
    ],
    bad: [
      role(
        "deploy",
        github({ StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": "repo:example/app:ref:refs/heads/main" } }),
        { maxSessionDuration: 43200 },
      ),
    ],
    expect: /43200 exceeds 3600/,
  },
  "cicd-pull-request-role-separate": {
    good: [
      role(
        "preview",
        github({ StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": ["repo:example/app:pull_request"] } }, "GitHubPreview"),
      ),
    ],
    bad: [
      role(
        "ci",
        github({
          StringEquals: {
            ...aud,
            "token.actions.githubusercontent.com:sub": ["repo:example/app:pull_request", "repo:example/app:ref:refs/heads/main"],
          },
        }),
      ),
    ],
    expect: /code under review could deploy/,
  },
};
