import type { Simulation } from "@cloud-copilot/iam-simulate";

/** The claims of a GitHub Actions OIDC token that CI trust policies condition on. */
export interface GitHubClaims {
  readonly sub: string;
  /** Defaults to `sts.amazonaws.com`, the audience the AWS credentials action asks for. */
  readonly aud?: string;
  readonly ref?: string;
}

const GITHUB = "token.actions.githubusercontent.com";
const STAND_IN = "accounts.google.com";

/**
 * The iam-simulate request for `AssumeRoleWithWebIdentity` on a rendered trust policy with the claims a
 * GitHub job presents. The engine's service reference lists `aud`/`sub` only for some IdPs (Google,
 * Cognito, ...), so those two GitHub keys (and the provider) are renamed to Google's on both sides: the
 * operators and values are what is tested. GitHub's own claim keys (`ref`, ...) are in the reference and
 * are evaluated as they are. Pure (no engine here), so it can sit in the inventory entry point.
 */
export function githubAssumeSimulation(trust: unknown, account: string, roleName: string, claims: GitHubClaims): Simulation {
  const renamed: unknown = JSON.parse(
    JSON.stringify(trust)
      .replaceAll(`${GITHUB}:sub`, `${STAND_IN}:sub`)
      .replaceAll(`${GITHUB}:aud`, `${STAND_IN}:aud`)
      .replaceAll(`oidc-provider/${GITHUB}`, `oidc-provider/${STAND_IN}`),
  );
  return {
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: renamed,
    request: {
      action: "sts:AssumeRoleWithWebIdentity",
      principal: `arn:aws:iam::${account}:oidc-provider/${STAND_IN}`,
      resource: { accountId: account, resource: `arn:aws:iam::${account}:role/${roleName}` },
      contextVariables: {
        [`${STAND_IN}:sub`]: claims.sub,
        [`${STAND_IN}:aud`]: claims.aud ?? "sts.amazonaws.com",
        ...(claims.ref ? { [`${GITHUB}:ref`]: claims.ref } : {}),
      },
    },
  };
}

/**
 * The trust statement the registry publisher role must have for GitHub release jobs, written out for the
 * component and stack tests to compare with: the protected environment in `sub` (its reviewers gate the
 * job) and, with a tag pattern, the release tags in `ref` as well (a tag alone never stands in for it).
 */
export function expectedGitHubPublisherTrust(providerArn: string, repository: string, environment: string, tagPattern?: string) {
  return {
    Sid: "GitHubPublisher",
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: ["sts:AssumeRoleWithWebIdentity"],
    Condition: {
      StringEquals: {
        [`${GITHUB}:aud`]: ["sts.amazonaws.com"],
        [`${GITHUB}:sub`]: [`repo:${repository}:environment:${environment}`],
      },
      ...(tagPattern === undefined ? {} : { StringLike: { [`${GITHUB}:ref`]: [`refs/tags/${tagPattern}`] } }),
    },
  };
}
