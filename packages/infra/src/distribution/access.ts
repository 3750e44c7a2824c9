import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountRootArn, allow, policyDocument, renderPolicy, type Grant, type Grantee, type Statement } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import type { RegistryReaders } from "./args";
import { BEARER_TOKEN_ACTIONS, READ_PACKAGE_ACTIONS, READ_REPOSITORY_ACTIONS, READER_ACTIONS, TOKEN_ACTIONS } from "./perms";
import type { RegistryArns, Repositories } from "./repository";

interface ReaderPrincipal {
  readonly sid: string;
  readonly principal: "*" | { AWS: pulumi.Input<string>[] };
  readonly conditions?: Record<string, Record<string, string>>;
}

/**
 * Resource-policy principals: the organisation as `*` bound by `aws:PrincipalOrgID` (never `*` alone),
 * whole accounts by their root, and exact principal ARNs.
 */
export function readerPrincipals(r: RegistryReaders, partition: pulumi.Input<string>): ReaderPrincipal[] {
  const out: ReaderPrincipal[] = [];
  if (r.organizationId)
    out.push({ sid: "Organization", principal: "*", conditions: { StringEquals: { "aws:PrincipalOrgID": r.organizationId } } });
  if (r.accountIds?.length) out.push({ sid: "Accounts", principal: { AWS: r.accountIds.map((a) => accountRootArn(partition, a)) } });
  if (r.principalArns?.length) out.push({ sid: "Principals", principal: { AWS: [...r.principalArns] } });
  return out;
}

/** Resource policies on the domain and the repository: readers may get a token and read, nothing else. */
export function buildReaderPolicies(
  scope: BuilderScope,
  readers: readonly ReaderPrincipal[],
  { domain, repository }: Repositories,
  arns: RegistryArns,
): void {
  if (readers.length === 0) return;
  const who = (r: ReaderPrincipal) => ({ principal: r.principal, ...(r.conditions ? { conditions: r.conditions } : {}) });
  new aws.codeartifact.DomainPermissions(
    `${scope.name}-domain-policy`,
    {
      domain: domain.domain,
      policyDocument: renderPolicy(
        policyDocument(...readers.map((r) => allow(TOKEN_ACTIONS, [arns.domain], { sid: `${r.sid}Token`, ...who(r) }))),
      ),
    },
    childOpts(scope),
  );
  new aws.codeartifact.RepositoryPermissionsPolicy(
    `${scope.name}-repository-policy`,
    {
      domain: domain.domain,
      repository: repository.repository,
      policyDocument: renderPolicy(
        policyDocument(
          ...readers.map((r) =>
            allow(READER_ACTIONS, [arns.repository, pulumi.interpolate`${arns.allPackages}/*`], { sid: `${r.sid}Read`, ...who(r) }),
          ),
        ),
      ),
    },
    childOpts(scope),
  );
}

/** A CodeArtifact token: the domain's, and the STS bearer token only for CodeArtifact. */
export function tokenStatements(arns: RegistryArns): Statement[] {
  return [
    allow(TOKEN_ACTIONS, [arns.domain], { sid: "RegistryToken" }),
    allow(BEARER_TOKEN_ACTIONS, ["*"], {
      sid: "CodeArtifactBearer",
      conditions: { StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" } },
    }),
  ];
}

/** Identity policy letting a role install and read the helper's packages. */
export function readGrant(
  scope: BuilderScope,
  arns: RegistryArns,
  grantee: Grantee,
  opts: { provider?: pulumi.ProviderResource } = {},
): Grant {
  if (!/^[a-z0-9-]+$/.test(grantee.key)) throw new Error(`grantee key "${grantee.key}" must be lower-case letters, digits and dashes`);
  const statements: Statement[] = [
    ...tokenStatements(arns),
    allow(READ_REPOSITORY_ACTIONS, [arns.repository], { sid: "Repository" }),
    allow(READ_PACKAGE_ACTIONS, arns.packages("all"), { sid: "HelperPackages" }),
  ];
  const policy = new aws.iam.RolePolicy(
    `${scope.name}-read-${grantee.key}`,
    { role: grantee.roleName, policy: renderPolicy(policyDocument(...statements)) },
    childOpts(scope, opts.provider ? { provider: opts.provider } : {}),
  );
  return { policy, statements };
}
