import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  accountRootArn,
  accountTrustStatement,
  mergeConditions,
  oidcTrustStatement,
  roleArn,
  type AwsEnvironment,
  type Conditions,
  type Statement,
} from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import type { GitHubDeployRolesArgs } from "./args";
import { CHAIN_ACTIONS } from "./perms";
import {
  ciRoleNames,
  deployRefs,
  deploySubjects,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  GITHUB_OIDC_URL,
  previewSubjects,
  releaseRefs,
  releaseSubjects,
} from "./validate";

export interface TrustArgs {
  readonly roles: GitHubDeployRolesArgs;
  readonly env: AwsEnvironment;
}

/** Who may assume each CI role; `preview` and `release` only when the account has those roles. */
export interface CiTrust {
  /** The GitHub OIDC provider (entry account only). */
  readonly oidcProviderArn?: pulumi.Output<string>;
  readonly deploy: Statement[];
  readonly preview?: Statement[];
  readonly release?: Statement[];
}

/**
 * The trust of the CI roles. In the entry account GitHub's OIDC token (with the provider created here
 * unless the account has one); in the stage's other accounts the entry account's role of the same kind.
 */
export function ciTrust(scope: BuilderScope, { roles: args, env }: TrustArgs): CiTrust {
  const names = ciRoleNames(args.namePrefix);
  const wantPreview = args.github ? (args.github.previewOnPullRequests ?? true) : (args.chainFrom?.preview ?? true);
  if (!args.github) {
    return { deploy: [chainTrust(env, args, names.deploy)], ...(wantPreview ? { preview: [chainTrust(env, args, names.preview)] } : {}) };
  }
  const github = args.github;
  const providerArn =
    github.existingOidcProviderArn !== undefined ? pulumi.output(github.existingOidcProviderArn) : githubOidcProvider(scope);
  /** GitHub's trust: aud and sub, and where asked the `ref` claim too (a GitHub key IAM evaluates besides `sub`). */
  const githubTrust = (sid: string, subjects: string[], refs: string[] = []): Statement => {
    const s = oidcTrustStatement({ providerArn, issuerKey: GITHUB_OIDC_HOST, audiences: [GITHUB_OIDC_AUDIENCE], subjects });
    const ref: Conditions | undefined = refs.length
      ? { [refs.some((r) => /[*?]/.test(r)) ? "StringLike" : "StringEquals"]: { [`${GITHUB_OIDC_HOST}:ref`]: refs } }
      : undefined;
    return { ...s, Sid: sid, Condition: mergeConditions(s.Condition, ref) };
  };
  // The entry account's roles may also assume themselves: the stage's provider for this account
  // assumes `deployRoleArn` even when CI already holds that role.
  const selfTrust = (roleName: string) =>
    chainStatement("SelfAssume", accountRootArn(env.partition, args.accountId), roleArn(env.partition, args.accountId, roleName));
  const release = github.release;
  return {
    oidcProviderArn: providerArn,
    deploy: [githubTrust("GitHubDeploy", deploySubjects(github), deployRefs(github)), selfTrust(names.deploy)],
    ...(wantPreview ? { preview: [githubTrust("GitHubPreview", previewSubjects(github.repository)), selfTrust(names.preview)] } : {}),
    // The protected environment (required reviewers) in `sub`, the release tags in `ref`: both must hold.
    ...(release ? { release: [githubTrust("GitHubRelease", releaseSubjects(github.repository, release), releaseRefs(release))] } : {}),
  };
}

/** IAM trusts GitHub's certificate authority itself; the thumbprint list is no longer consulted. */
function githubOidcProvider(scope: BuilderScope): pulumi.Output<string> {
  return new aws.iam.OpenIdConnectProvider(
    `${scope.name}-github-oidc`,
    {
      url: GITHUB_OIDC_URL,
      clientIdLists: [GITHUB_OIDC_AUDIENCE],
      tags: { ...scope.tags, purpose: "github-actions" },
    },
    childOpts(scope),
  ).arn;
}

/** A role of the same name in the entry account, by its exact ARN (the account root is only the principal IAM needs). */
function chainStatement(sid: string, root: pulumi.Output<string>, callerArn: pulumi.Output<string>): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { AWS: root },
    Action: [...CHAIN_ACTIONS],
    Condition: { ArnEquals: { "aws:PrincipalArn": callerArn } },
  };
}

/** The stage's other accounts trust only the entry account's role of the same kind, inside the organisation. */
function chainTrust(env: AwsEnvironment, args: GitHubDeployRolesArgs, roleName: string): Statement {
  const from = args.chainFrom!;
  const callerArn = roleArn(env.partition, from.accountId, roleName);
  const root = accountRootArn(env.partition, from.accountId);
  if (from.accountId === args.accountId) return chainStatement("ChainFromCi", root, callerArn);
  const s = accountTrustStatement({ principals: [root], organizationId: from.organizationId! });
  return { ...s, Sid: "ChainFromCi", Condition: { ...s.Condition, ArnEquals: { "aws:PrincipalArn": callerArn } } };
}
