import * as pulumi from "@pulumi/pulumi";
import { distribution } from "@ccb/infra";
import type { StageContext, StagePart } from "./context";

/** What the distribution area hands to the areas composed after it (cicd publishes to this registry). */
export interface DistributionPart extends StagePart {
  /** The CodeArtifact registry; none for `registry.kind: npm` (nothing is created in AWS). */
  readonly registry?: {
    /** Account and Region that hold the CodeArtifact domain. */
    readonly accountId: string;
    readonly region: string;
    readonly domainName: pulumi.Output<string>;
    readonly repositoryName: pulumi.Output<string>;
    readonly packageName: string;
    readonly registryUrl: pulumi.Output<string>;
    /** Role CI assumes to publish the helper (trusts the roles named in `distribution.publisher`). */
    readonly publisherRoleArn: pulumi.Output<string>;
  };
}

/** Composes the distribution area for a stage; `undefined` when the stage leaves it off. */
export function composeDistribution(ctx: StageContext): DistributionPart | undefined {
  const c = ctx.config.distribution;
  if (!c.enabled) return undefined;
  if (c.registry.kind === "npm") return npmRegistryPart(c.packageName, c.registry.url);
  // The config has refused a stage without a publisher, organisation-wide readers without an
  // organisation, and CI roles of another account without one (stacks/config).
  const accountId = ctx.config.decisions.registryAccountId;
  if (!c.publisher || !accountId) return undefined;
  const orgId = ctx.config.organizationId;
  const provider = c.account === "inference" ? ctx.providers.inference : ctx.providers.telemetry;

  let publisherTrust: distribution.PublisherTrust;
  if (c.publisher.kind === "roles") {
    const ciAccount = c.publisher.accountId ?? accountId;
    publisherTrust = {
      roles: {
        accountId: ciAccount,
        roleNames: c.publisher.roleNames,
        ...(ciAccount !== accountId && orgId ? { organizationId: orgId } : {}),
      },
    };
  } else {
    const g = c.publisher;
    // The protected environment in `sub`, the release tags (when given) in `ref`: both must hold.
    publisherTrust = {
      github: {
        providerArn: g.oidcProviderArn,
        repository: g.repository,
        environment: g.environment,
        ...(g.tagPattern ? { tagPattern: g.tagPattern } : {}),
      },
    };
  }

  // The developers' role lives in the inference account: a registry elsewhere must name it in its policies too.
  const developersCrossAccount = c.developerRoleReads && accountId !== ctx.config.accounts.inference.id;
  const registry = new distribution.PackageRegistry(
    `${ctx.config.namePrefix}-registry`,
    {
      domainName: c.domainName ?? ctx.config.namePrefix,
      repositoryName: c.repositoryName,
      packageNames: [c.packageName],
      readers: {
        ...(c.readers.organization && orgId ? { organizationId: orgId } : {}),
        ...(c.readers.accountIds.length ? { accountIds: c.readers.accountIds } : {}),
        ...(developersCrossAccount ? { principalArns: [ctx.userRole.arn] } : {}),
      },
      publisherTrust,
      upstreamNpmjs: c.upstreamNpmjs,
      publisherRoleName: `${ctx.config.namePrefix}-helper-publisher`,
      permissionsBoundaryArn: ctx.workloadBoundaryArns[accountId],
      tags: ctx.tags,
    },
    { providers: { aws: provider } },
  );
  if (c.developerRoleReads) registry.grants.read({ roleName: ctx.userRole.name, key: "developers" }, { provider: ctx.providers.inference });

  return {
    registry: {
      accountId,
      region: ctx.config.region,
      domainName: registry.domainName,
      repositoryName: registry.repositoryName,
      packageName: c.packageName,
      registryUrl: registry.registryUrl,
      publisherRoleArn: registry.publisherRoleArn,
    },
    helper: pulumi.output({ distribution: { registryUrl: registry.registryUrl, packageName: c.packageName } }),
    outputs: {
      registryUrl: registry.registryUrl,
      registryNpmrc: registry.npmrcLines.apply((lines) => lines.join("\n")),
      registryLoginCommand: registry.loginCommand,
      registryTokenCommand: registry.tokenCommand,
      helperPackageName: c.packageName,
      helperPublisherRoleArn: registry.publisherRoleArn,
    },
  };
}

/**
 * An npm registry the organisation already runs (`registry.kind: npm`): nothing to create. The helper
 * learns the registry (update check) and the outputs say how to install; the release workflow publishes
 * there with the release environment's `HELPER_NPM_TOKEN` secret (docs/distribution.md).
 */
function npmRegistryPart(packageName: string, url: string): DistributionPart {
  const registryUrl = url.endsWith("/") ? url : `${url}/`;
  const scope = packageName.split("/")[0]!;
  return {
    helper: pulumi.output({ distribution: { registryUrl, packageName } }),
    outputs: {
      registryKind: "npm",
      registryUrl,
      // Where the scope's packages come from; the token (if the registry needs one) stays in the developer's own npm config.
      registryNpmrc: `${scope}:registry=${registryUrl}`,
      helperInstallCommand: `npm install --global ${packageName} --${scope}:registry=${registryUrl}`,
      helperPackageName: packageName,
    },
  };
}
