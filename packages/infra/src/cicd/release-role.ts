import type * as aws from "@pulumi/aws";
import { allow, arn, type AwsEnvironment, type Statement } from "../iam";
import type { BuilderScope } from "../scope";
import type { ReleaseArgs } from "./args";
import { RELEASE_BEARER_ACTIONS, RELEASE_PACKAGE_ACTIONS, RELEASE_REPOSITORY_ACTIONS, RELEASE_TOKEN_ACTIONS } from "./perms";
import { ciRole, statePolicies, type RoleBuilderArgs } from "./role";
import { NPM_SCOPED_NAME } from "./validate";

/**
 * The release role: publishes the credential helper to CodeArtifact only, from a protected
 * environment (and the release tags). It reads the stack outputs but never takes the stack lock.
 * Without `codeArtifact` (another npm registry, published with a token) it only reads the outputs.
 */
export function releaseRole(scope: BuilderScope, a: RoleBuilderArgs & { readonly release: ReleaseArgs }): aws.iam.Role {
  const state = statePolicies(a.env, a.roles, "release").map((s) => ({
    ...s,
    statements: s.statements.filter((x) => x.Sid !== "StateLocks"),
  }));
  return ciRole(scope, {
    ...a,
    kind: "release",
    description: a.release.codeArtifact
      ? "GitHub Actions: publish the credential helper to CodeArtifact, after review in a protected environment"
      : "GitHub Actions: read the stack outputs to release the credential helper, after review in a protected environment",
    managed: [],
    inline: [
      ...(a.release.codeArtifact
        ? [{ key: "publish", statements: releaseStatements(a.env, a.roles.accountId, a.release.codeArtifact) }]
        : []),
      ...state,
    ],
  });
}

function releaseStatements(env: AwsEnvironment, accountId: string, c: NonNullable<ReleaseArgs["codeArtifact"]>): Statement[] {
  const { domain, repository, packageName } = c;
  const [, scope, pkg] = NPM_SCOPED_NAME.exec(packageName)!;
  const owner = c.ownerAccountId ?? accountId;
  const ca = (resource: string) => arn(env.partition, "codeartifact", env.region, owner, resource);
  return [
    allow([...RELEASE_TOKEN_ACTIONS], [ca(`domain/${domain}`)], { sid: "RegistryToken" }),
    allow([...RELEASE_BEARER_ACTIONS], ["*"], {
      sid: "CodeArtifactBearer",
      conditions: { StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" } },
    }),
    allow([...RELEASE_REPOSITORY_ACTIONS], [ca(`repository/${domain}/${repository}`)], { sid: "Repository" }),
    allow(
      [...RELEASE_PACKAGE_ACTIONS],
      [
        ca(`package/${domain}/${repository}/npm/${scope}/${pkg}`),
        ca(`package/${domain}/${repository}/generic/${scope}/${pkg}-executables`),
      ],
      { sid: "HelperPackages" },
    ),
  ];
}
