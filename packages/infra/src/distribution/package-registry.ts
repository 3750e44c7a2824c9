import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsEnvironment, type Grant, type Grantee } from "../iam";
import type { BuilderScope } from "../scope";
import { customerKey } from "../storage";
import { buildReaderPolicies, readerPrincipals, readGrant } from "./access";
import type { PackageRegistryArgs } from "./args";
import { buildPublisherRole } from "./publisher";
import { buildRepositories, npmNamespace, registryArns } from "./repository";
import { validatePackageRegistryArgs } from "./validate";

export type { PackageRegistryArgs, PublisherRoles, PublisherTrust, RegistryReaders } from "./args";
export { readerPrincipals } from "./access";
export { npmNamespace } from "./repository";

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
    const scope: BuilderScope = { name, parent: this, tags: { ...args.tags } };
    const env = awsEnvironment(this);

    if (args.kmsKeyArn === undefined) {
      // The account administers the key through IAM; CodeArtifact uses it through grants it creates
      // when the domain is created (the deployer needs kms:CreateGrant and kms:DescribeKey).
      this.key = customerKey(this, name, env, {
        description: `${args.domainName}: CodeArtifact domain assets`,
        alias: `${args.domainName}-codeartifact`,
        tags: scope.tags,
      });
    }
    this.keyArn = this.key ? this.key.arn : pulumi.output(args.kmsKeyArn!);
    const repos = buildRepositories(scope, { ...args, keyArn: this.keyArn });
    this.domain = repos.domain;
    this.repository = repos.repository;
    const arns = registryArns(env, repos, args.packageNames);
    buildReaderPolicies(scope, readerPrincipals(args.readers, env.partition), repos, arns);
    this.publisherRole = buildPublisherRole(scope, { ...args, partition: env.partition, arns });

    this.domainName = this.domain.domain;
    // The domain's owner is the account that creates it (the provider's).
    this.domainOwner = env.accountId;
    this.repositoryName = this.repository.repository;
    this.repositoryArn = this.repository.arn;
    this.publisherRoleArn = this.publisherRole.arn;
    this.registryUrl = pulumi.interpolate`https://${this.domain.domain}-${env.accountId}.d.codeartifact.${env.region}.${env.dnsSuffix}/npm/${this.repository.repository}/`;
    const scopes = [...new Set(args.packageNames.map((p) => npmNamespace(p).scope))];
    this.npmrcLines = this.registryUrl.apply((url) => [
      ...scopes.map((s) => `@${s}:registry=${url}`),
      `${url.replace(/^https:/, "")}:_authToken=\${CODEARTIFACT_AUTH_TOKEN}`,
    ]);
    this.loginCommand = pulumi.interpolate`aws codeartifact login --tool npm --domain ${this.domain.domain} --domain-owner ${env.accountId} --repository ${this.repository.repository} --namespace @${scopes[0]!} --region ${env.region} --duration-seconds ${TOKEN_SECONDS}`;
    this.tokenCommand = pulumi.interpolate`export CODEARTIFACT_AUTH_TOKEN="$(aws codeartifact get-authorization-token --domain ${this.domain.domain} --domain-owner ${env.accountId} --region ${env.region} --duration-seconds ${TOKEN_SECONDS} --query authorizationToken --output text)"`;
    this.grants = { read: (grantee, grantOpts = {}) => readGrant(scope, arns, grantee, grantOpts) };

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
