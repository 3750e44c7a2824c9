import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  accountRootArn, accountTrustStatement, allow, awsEnvironment, oidcTrustStatement, policyDocument, renderPolicy,
  type Grant, type Grantee, type OidcTrustOptions, type Statement,
} from "../iam";
import {
  BEARER_TOKEN_ACTIONS, PUBLISH_PACKAGE_ACTIONS, READ_PACKAGE_ACTIONS, READ_REPOSITORY_ACTIONS, READER_ACTIONS, TOKEN_ACTIONS,
} from "./perms";
import { PUBLISHER_SESSION_SECONDS, validatePackageRegistryArgs } from "./validate";
import { customerKey } from "../storage";

/** Who may read (install) from the registry besides principals of the registry's own account. */
export interface RegistryReaders {
  /** Every principal of this AWS Organization (`aws:PrincipalOrgID`). */
  readonly organizationId?: string;
  /** Whole accounts (their IAM policies decide which principals). */
  readonly accountIds?: readonly string[];
  /** Exact principals, e.g. the federated developer role of another account. */
  readonly principalArns?: readonly pulumi.Input<string>[];
}

/**
 * Who may assume the publisher role:
 * - `roles`: CI roles by name in one account (e.g. the GitHub Actions release role `<prefix>-ci-release`).
 *   The trust names the account and matches the roles with `aws:PrincipalArn`, so it can be deployed
 *   before the roles exist; another account's roles also need `organizationId` or `externalId`.
 * - `oidc`: a web-identity trust (e.g. GitHub's OIDC provider with the release tag subjects).
 */
export type PublisherTrust =
  | { readonly roles: { readonly accountId: string; readonly roleNames: readonly string[]; readonly organizationId?: string; readonly externalId?: pulumi.Input<string> } }
  | { readonly oidc: OidcTrustOptions };

export interface PackageRegistryArgs {
  /** CodeArtifact domain (physical name, 2–50 chars), e.g. `ccb-pilot`. */
  readonly domainName: string;
  /** npm repository in the domain, e.g. `claude-code`. */
  readonly repositoryName: string;
  /** Scoped npm packages published here (`@acme/claude-bedrock`); each also gets a generic `<name>-executables` package. */
  readonly packageNames: readonly string[];
  /** Customer managed key for the domain's assets; a key with rotation is created when omitted. */
  readonly kmsKeyArn?: pulumi.Input<string>;
  readonly readers: RegistryReaders;
  readonly publisherTrust: PublisherTrust;
  /**
   * Proxy public npmjs.com through an upstream repository. Off by default: the helper has no runtime
   * dependencies, and an upstream lets a same-named public package be resolved (dependency confusion)
   * until origin controls block it. Turn on only if developers install other packages from here.
   */
  readonly upstreamNpmjs?: boolean;
  /** Physical name of the publisher role; autonamed when omitted. */
  readonly publisherRoleName?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

/** `@acme/claude-bedrock` → `{ scope: "acme", name: "claude-bedrock" }` (CodeArtifact namespaces drop the `@`). */
export function npmNamespace(packageName: string): { scope: string; name: string } {
  const [scope, name] = packageName.slice(1).split("/") as [string, string];
  return { scope, name };
}

/** Developer-facing commands and lines; CodeArtifact tokens last at most 12 hours. */
export const TOKEN_SECONDS = 43200;

/**
 * The internal npm registry developers install the credential helper from: an AWS CodeArtifact domain
 * encrypted with a customer managed KMS key, an npm repository (optionally behind an npmjs upstream),
 * resource policies that let the organisation (or listed accounts) read and nothing more, and a
 * publisher role that CI assumes to publish the helper's packages only.
 *
 * Outputs the npm endpoint and the exact `.npmrc` lines and `aws codeartifact` commands developers run.
 */
export class PackageRegistry extends pulumi.ComponentResource {
  readonly domain: aws.codeartifact.Domain;
  readonly repository: aws.codeartifact.Repository;
  readonly publisherRole: aws.iam.Role;
  readonly key?: aws.kms.Key;
  readonly keyArn: pulumi.Output<string>;
  readonly domainName: pulumi.Output<string>;
  readonly domainOwner: pulumi.Output<string>;
  readonly repositoryName: pulumi.Output<string>;
  readonly repositoryArn: pulumi.Output<string>;
  readonly publisherRoleArn: pulumi.Output<string>;
  /** `https://<domain>-<owner>.d.codeartifact.<region>.<dns suffix>/npm/<repository>/` */
  readonly registryUrl: pulumi.Output<string>;
  /** Per package scope: `@scope:registry=<url>` and the `_authToken` line reading `${CODEARTIFACT_AUTH_TOKEN}`. */
  readonly npmrcLines: pulumi.Output<string[]>;
  /** `aws codeartifact login --tool npm … --namespace @scope` for the first package's scope. */
  readonly loginCommand: pulumi.Output<string>;
  /** `export CODEARTIFACT_AUTH_TOKEN=$(aws codeartifact get-authorization-token …)` */
  readonly tokenCommand: pulumi.Output<string>;
  readonly grants: {
    /** Identity policy letting a role install and read the registry's packages (e.g. developers' role). */
    read(grantee: Grantee, opts?: { provider?: pulumi.ProviderResource }): Grant;
  };

  constructor(name: string, args: PackageRegistryArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:distribution:PackageRegistry", name, {}, opts);
    const problems = validatePackageRegistryArgs(args);
    if (problems.length) throw new Error(`PackageRegistry ${name}: ${problems.join("; ")}`);

    const parent = { parent: this };
    const env = awsEnvironment(this);
    const tags = { ...args.tags };
    const ca = (resource: pulumi.Input<string>) => pulumi.interpolate`arn:${env.partition}:codeartifact:${env.region}:${env.accountId}:${resource}`;

    // ---- Key ----------------------------------------------------------------------------------
    if (args.kmsKeyArn === undefined) {
      // The account administers the key through IAM; CodeArtifact uses it through grants it creates
      // when the domain is created (the deployer needs kms:CreateGrant and kms:DescribeKey).
      this.key = customerKey(this, name, env, { description: `${args.domainName}: CodeArtifact domain assets`, alias: `${args.domainName}-codeartifact`, tags });
    }
    this.keyArn = this.key ? this.key.arn : pulumi.output(args.kmsKeyArn!);

    // ---- Domain and repositories ----------------------------------------------------------------
    this.domain = new aws.codeartifact.Domain(`${name}-domain`, { domain: args.domainName, encryptionKey: this.keyArn, tags }, parent);
    let upstream: aws.codeartifact.Repository | undefined;
    if (args.upstreamNpmjs) {
      upstream = new aws.codeartifact.Repository(`${name}-npmjs`, {
        domain: this.domain.domain,
        repository: `${args.repositoryName}-npmjs`,
        description: "Proxy of the public npm registry (upstream of the internal repository)",
        externalConnections: { externalConnectionName: "public:npmjs" },
        tags,
      }, parent);
    }
    this.repository = new aws.codeartifact.Repository(`${name}-repository`, {
      domain: this.domain.domain,
      repository: args.repositoryName,
      description: `The credential helper for Claude Code on Amazon Bedrock (${args.packageNames.join(", ")})`,
      ...(upstream ? { upstreams: [{ repositoryName: upstream.repository }] } : {}),
      tags,
    }, parent);

    this.domainName = this.domain.domain;
    // The domain's owner is the account that creates it (the provider's).
    this.domainOwner = env.accountId;
    this.repositoryName = this.repository.repository;
    this.repositoryArn = this.repository.arn;
    const domainArn = ca(pulumi.interpolate`domain/${this.domain.domain}`);
    const repoArn = ca(pulumi.interpolate`repository/${this.domain.domain}/${this.repository.repository}`);
    const packageArns = (formats: "npm" | "all") =>
      args.packageNames.flatMap((p) => {
        const { scope, name: pkg } = npmNamespace(p);
        const npm = ca(pulumi.interpolate`package/${this.domain.domain}/${this.repository.repository}/npm/${scope}/${pkg}`);
        const generic = ca(pulumi.interpolate`package/${this.domain.domain}/${this.repository.repository}/generic/${scope}/${pkg}-executables`);
        return formats === "npm" ? [npm] : [npm, generic];
      });

    // ---- Resource policies: read (and get a token), nothing else -------------------------------
    const readers = readerPrincipals(args.readers, env.partition);
    if (readers.length > 0) {
      new aws.codeartifact.DomainPermissions(`${name}-domain-policy`, {
        domain: this.domain.domain,
        policyDocument: renderPolicy(policyDocument(...readers.map((r) => allow(TOKEN_ACTIONS, [domainArn], { sid: `${r.sid}Token`, principal: r.principal, ...(r.conditions ? { conditions: r.conditions } : {}) })))),
      }, parent);
      new aws.codeartifact.RepositoryPermissionsPolicy(`${name}-repository-policy`, {
        domain: this.domain.domain,
        repository: this.repository.repository,
        policyDocument: renderPolicy(policyDocument(...readers.map((r) =>
          allow(READER_ACTIONS, [repoArn, pulumi.interpolate`${ca(pulumi.interpolate`package/${this.domain.domain}/${this.repository.repository}`)}/*`], { sid: `${r.sid}Read`, principal: r.principal, ...(r.conditions ? { conditions: r.conditions } : {}) }),
        ))),
      }, parent);
    }

    // ---- Publisher role -------------------------------------------------------------------------
    const trust: Statement = "oidc" in args.publisherTrust
      ? oidcTrustStatement(args.publisherTrust.oidc)
      : publisherRoleTrust(args.publisherTrust.roles, env.partition);
    this.publisherRole = new aws.iam.Role(`${name}-publisher`, {
      ...(args.publisherRoleName ? { name: args.publisherRoleName } : {}),
      description: `CI publishes ${args.packageNames.join(", ")} to CodeArtifact ${args.domainName}/${args.repositoryName}`,
      assumeRolePolicy: renderPolicy(policyDocument(trust)),
      maxSessionDuration: PUBLISHER_SESSION_SECONDS,
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    }, parent);
    this.publisherRoleArn = this.publisherRole.arn;
    new aws.iam.RolePolicy(`${name}-publisher-publish`, {
      role: this.publisherRole.name,
      policy: renderPolicy(policyDocument(
        allow(TOKEN_ACTIONS, [domainArn], { sid: "RegistryToken" }),
        allow(BEARER_TOKEN_ACTIONS, ["*"], { sid: "CodeArtifactBearer", conditions: { StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" } } }),
        allow(READ_REPOSITORY_ACTIONS, [repoArn], { sid: "Repository" }),
        allow(PUBLISH_PACKAGE_ACTIONS, packageArns("all"), { sid: "HelperPackages" }),
      )),
    }, parent);

    // ---- What developers run --------------------------------------------------------------------
    this.registryUrl = pulumi.interpolate`https://${this.domain.domain}-${env.accountId}.d.codeartifact.${env.region}.${env.dnsSuffix}/npm/${this.repository.repository}/`;
    const scopes = [...new Set(args.packageNames.map((p) => npmNamespace(p).scope))];
    this.npmrcLines = this.registryUrl.apply((url) => [...scopes.map((s) => `@${s}:registry=${url}`), `${url.replace(/^https:/, "")}:_authToken=\${CODEARTIFACT_AUTH_TOKEN}`]);
    this.loginCommand = pulumi.interpolate`aws codeartifact login --tool npm --domain ${this.domain.domain} --domain-owner ${env.accountId} --repository ${this.repository.repository} --namespace @${scopes[0]!} --region ${env.region} --duration-seconds ${TOKEN_SECONDS}`;
    this.tokenCommand = pulumi.interpolate`export CODEARTIFACT_AUTH_TOKEN="$(aws codeartifact get-authorization-token --domain ${this.domain.domain} --domain-owner ${env.accountId} --region ${env.region} --duration-seconds ${TOKEN_SECONDS} --query authorizationToken --output text)"`;

    this.grants = {
      read: (grantee, grantOpts = {}) => {
        if (!/^[a-z0-9-]+$/.test(grantee.key)) throw new Error(`grantee key "${grantee.key}" must be lower-case letters, digits and dashes`);
        const statements: Statement[] = [
          allow(TOKEN_ACTIONS, [domainArn], { sid: "RegistryToken" }),
          allow(BEARER_TOKEN_ACTIONS, ["*"], { sid: "CodeArtifactBearer", conditions: { StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" } } }),
          allow(READ_REPOSITORY_ACTIONS, [repoArn], { sid: "Repository" }),
          allow(READ_PACKAGE_ACTIONS, packageArns("all"), { sid: "HelperPackages" }),
        ];
        const policy = new aws.iam.RolePolicy(`${name}-read-${grantee.key}`, { role: grantee.roleName, policy: renderPolicy(policyDocument(...statements)) }, { parent: this, ...(grantOpts.provider ? { provider: grantOpts.provider } : {}) });
        return { policy, statements };
      },
    };

    this.registerOutputs({
      domainName: this.domainName,
      domainOwner: this.domainOwner,
      repositoryName: this.repositoryName,
      registryUrl: this.registryUrl,
      publisherRoleArn: this.publisherRoleArn,
      npmrcLines: this.npmrcLines,
      loginCommand: this.loginCommand,
      tokenCommand: this.tokenCommand,
    });
  }
}

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
  if (r.organizationId) out.push({ sid: "Organization", principal: "*", conditions: { StringEquals: { "aws:PrincipalOrgID": r.organizationId } } });
  if (r.accountIds?.length) out.push({ sid: "Accounts", principal: { AWS: r.accountIds.map((a) => accountRootArn(partition, a)) } });
  if (r.principalArns?.length) out.push({ sid: "Principals", principal: { AWS: [...r.principalArns] } });
  return out;
}

function publisherRoleTrust(t: { readonly accountId: string; readonly roleNames: readonly string[]; readonly organizationId?: string; readonly externalId?: pulumi.Input<string> }, partition: pulumi.Output<string>): Statement {
  const root = accountRootArn(partition, t.accountId);
  const patterns = t.roleNames.map((n) => pulumi.interpolate`arn:${partition}:iam::${t.accountId}:role/${n}`);
  if (t.organizationId !== undefined || t.externalId !== undefined) {
    const s = accountTrustStatement({ principals: [root], ...(t.organizationId ? { organizationId: t.organizationId } : {}), ...(t.externalId ? { externalId: t.externalId } : {}) });
    return { ...s, Sid: "CiPublisher", Condition: { ...s.Condition, ArnLike: { "aws:PrincipalArn": patterns } } };
  }
  return { Sid: "CiPublisher", Effect: "Allow", Principal: { AWS: [root] }, Action: ["sts:AssumeRole"], Condition: { StringEquals: { "aws:PrincipalAccount": t.accountId }, ArnLike: { "aws:PrincipalArn": patterns } } };
}
