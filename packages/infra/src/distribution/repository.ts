import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsEnvironment } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import type { PackageRegistryArgs } from "./args";

/** `@acme/claude-bedrock` → `{ scope: "acme", name: "claude-bedrock" }` (CodeArtifact namespaces drop the `@`). */
export function npmNamespace(packageName: string): { scope: string; name: string } {
  const [scope, name] = packageName.slice(1).split("/") as [string, string];
  return { scope, name };
}

export interface Repositories {
  readonly domain: aws.codeartifact.Domain;
  readonly repository: aws.codeartifact.Repository;
}

/** ARNs of the domain, the repository and the helper's packages in it. */
export interface RegistryArns {
  readonly domain: pulumi.Output<string>;
  readonly repository: pulumi.Output<string>;
  /** Every package of the repository (`package/<domain>/<repository>`, without the trailing `/*`). */
  readonly allPackages: pulumi.Output<string>;
  /** The npm package of each name, and with `all` also its generic `<name>-executables` package. */
  packages(formats: "npm" | "all"): pulumi.Output<string>[];
}

type RepositoryArgs = Pick<PackageRegistryArgs, "domainName" | "repositoryName" | "packageNames" | "upstreamNpmjs"> & {
  readonly keyArn: pulumi.Output<string>;
};

/** The CodeArtifact domain and the npm repository, optionally behind an npmjs upstream. */
export function buildRepositories(scope: BuilderScope, args: RepositoryArgs): Repositories {
  const domain = new aws.codeartifact.Domain(
    `${scope.name}-domain`,
    { domain: args.domainName, encryptionKey: args.keyArn, tags: scope.tags },
    childOpts(scope),
  );
  let upstream: aws.codeartifact.Repository | undefined;
  if (args.upstreamNpmjs) {
    upstream = new aws.codeartifact.Repository(
      `${scope.name}-npmjs`,
      {
        domain: domain.domain,
        repository: `${args.repositoryName}-npmjs`,
        description: "Proxy of the public npm registry (upstream of the internal repository)",
        externalConnections: { externalConnectionName: "public:npmjs" },
        tags: scope.tags,
      },
      childOpts(scope),
    );
  }
  const repository = new aws.codeartifact.Repository(
    `${scope.name}-repository`,
    {
      domain: domain.domain,
      repository: args.repositoryName,
      description: `The credential helper for Claude Code on Amazon Bedrock (${args.packageNames.join(", ")})`,
      ...(upstream ? { upstreams: [{ repositoryName: upstream.repository }] } : {}),
      tags: scope.tags,
    },
    childOpts(scope),
  );
  return { domain, repository };
}

export function registryArns(env: AwsEnvironment, { domain, repository }: Repositories, packageNames: readonly string[]): RegistryArns {
  const ca = (resource: pulumi.Input<string>) =>
    pulumi.interpolate`arn:${env.partition}:codeartifact:${env.region}:${env.accountId}:${resource}`;
  const packageArn = (format: string, scope: string, pkg: string) =>
    ca(pulumi.interpolate`package/${domain.domain}/${repository.repository}/${format}/${scope}/${pkg}`);
  return {
    domain: ca(pulumi.interpolate`domain/${domain.domain}`),
    repository: ca(pulumi.interpolate`repository/${domain.domain}/${repository.repository}`),
    allPackages: ca(pulumi.interpolate`package/${domain.domain}/${repository.repository}`),
    packages: (formats) =>
      packageNames.flatMap((p) => {
        const { scope, name: pkg } = npmNamespace(p);
        const npm = packageArn("npm", scope, pkg);
        return formats === "npm" ? [npm] : [npm, packageArn("generic", scope, `${pkg}-executables`)];
      }),
  };
}
