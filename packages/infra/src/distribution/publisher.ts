import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, releaseRefs, releaseSubjects } from "../cicd/validate";
import {
  accountRootArn,
  accountTrustStatement,
  allow,
  mergeConditions,
  oidcTrustStatement,
  policyDocument,
  renderPolicy,
  type Conditions,
  type Statement,
} from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import { tokenStatements } from "./access";
import type { GitHubPublisher, PackageRegistryArgs, PublisherRoles } from "./args";
import { PUBLISH_PACKAGE_ACTIONS, READ_REPOSITORY_ACTIONS } from "./perms";
import type { RegistryArns } from "./repository";
import { PUBLISHER_SESSION_SECONDS } from "./validate";

type PublisherArgs = Pick<
  PackageRegistryArgs,
  "domainName" | "repositoryName" | "packageNames" | "publisherTrust" | "publisherRoleName" | "permissionsBoundaryArn"
> & {
  readonly partition: pulumi.Output<string>;
  readonly arns: RegistryArns;
};

/** The role CI assumes to publish the helper's packages, and only those. */
export function buildPublisherRole(scope: BuilderScope, args: PublisherArgs): aws.iam.Role {
  const trust: Statement =
    "github" in args.publisherTrust
      ? githubPublisherTrust(args.publisherTrust.github)
      : publisherRoleTrust(args.publisherTrust.roles, args.partition);
  const role = new aws.iam.Role(
    `${scope.name}-publisher`,
    {
      ...(args.publisherRoleName ? { name: args.publisherRoleName } : {}),
      description: `CI publishes ${args.packageNames.join(", ")} to CodeArtifact ${args.domainName}/${args.repositoryName}`,
      assumeRolePolicy: renderPolicy(policyDocument(trust)),
      maxSessionDuration: PUBLISHER_SESSION_SECONDS,
      permissionsBoundary: args.permissionsBoundaryArn,
      tags: scope.tags,
    },
    childOpts(scope),
  );
  new aws.iam.RolePolicy(
    `${scope.name}-publisher-publish`,
    {
      role: role.name,
      policy: renderPolicy(
        policyDocument(
          ...tokenStatements(args.arns),
          allow(READ_REPOSITORY_ACTIONS, [args.arns.repository], { sid: "Repository" }),
          allow(PUBLISH_PACKAGE_ACTIONS, args.arns.packages("all"), { sid: "HelperPackages" }),
        ),
      ),
    },
    childOpts(scope),
  );
  return role;
}

function publisherRoleTrust(t: PublisherRoles, partition: pulumi.Output<string>): Statement {
  const root = accountRootArn(partition, t.accountId);
  const patterns = t.roleNames.map((n) => pulumi.interpolate`arn:${partition}:iam::${t.accountId}:role/${n}`);
  if (t.organizationId !== undefined || t.externalId !== undefined) {
    const s = accountTrustStatement({
      principals: [root],
      ...(t.organizationId ? { organizationId: t.organizationId } : {}),
      ...(t.externalId ? { externalId: t.externalId } : {}),
    });
    return { ...s, Sid: "CiPublisher", Condition: { ...s.Condition, ArnLike: { "aws:PrincipalArn": patterns } } };
  }
  return {
    Sid: "CiPublisher",
    Effect: "Allow",
    Principal: { AWS: [root] },
    Action: ["sts:AssumeRole"],
    Condition: { StringEquals: { "aws:PrincipalAccount": t.accountId }, ArnLike: { "aws:PrincipalArn": patterns } },
  };
}

/** The environment in `sub` and, with a tag pattern, the release tags in `ref`: the CI release role's trust. */
function githubPublisherTrust(g: GitHubPublisher): Statement {
  const s = oidcTrustStatement({
    providerArn: g.providerArn,
    issuerKey: GITHUB_OIDC_HOST,
    audiences: [GITHUB_OIDC_AUDIENCE],
    subjects: releaseSubjects(g.repository, g),
  });
  const refs = releaseRefs(g);
  const ref: Conditions | undefined = refs.length
    ? { [refs.some((r) => /[*?]/.test(r)) ? "StringLike" : "StringEquals"]: { [`${GITHUB_OIDC_HOST}:ref`]: refs } }
    : undefined;
  return { ...s, Sid: "GitHubPublisher", Condition: mergeConditions(s.Condition, ref) };
}
