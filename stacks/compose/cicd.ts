import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cicd } from "@ccb/infra";
import type { StageContext, StagePart } from "./context";

/** One account of the stage, with the provider that deploys into it. */
interface StageAccount {
  readonly key: string;
  readonly id: string;
  readonly provider: aws.Provider;
}

/** What the cicd area hands to the areas composed after it. */
export interface CicdPart extends StagePart {
  /** Deploy role ARN per account key (`inference`, `telemetry`, `workload-<name>`). */
  readonly deployRoleArns: Readonly<Record<string, pulumi.Output<string>>>;
  readonly previewRoleArns: Readonly<Record<string, pulumi.Output<string>>>;
}

/**
 * The stage's distinct accounts: inference first (CI signs in there), then telemetry and workloads not
 * already listed, then, when CI deploys an IAM Identity Center stage, the account that administers the
 * instance (CI needs a role there for the permission set, and nothing else).
 */
export function stageAccounts(ctx: Pick<StageContext, "config" | "providers">): [StageAccount, ...StageAccount[]] {
  const { accounts } = ctx.config;
  const out: [StageAccount, ...StageAccount[]] = [{ key: "inference", id: accounts.inference.id, provider: ctx.providers.inference }];
  const seen = new Set([accounts.inference.id]);
  if (!seen.has(accounts.telemetry.id)) {
    out.push({ key: "telemetry", id: accounts.telemetry.id, provider: ctx.providers.telemetry });
    seen.add(accounts.telemetry.id);
  }
  for (const w of accounts.workloads) {
    if (seen.has(w.id)) continue;
    out.push({ key: `workload-${w.name}`, id: w.id, provider: ctx.providers.workload(w.name) });
    seen.add(w.id);
  }
  const admin = identityCenterOf(ctx.config)?.adminAccount;
  if (ctx.config.cicd.enabled && admin && !seen.has(admin.id) && ctx.providers.identityCenter)
    out.push({ key: IDENTITY_CENTER_ACCOUNT_KEY, id: admin.id, provider: ctx.providers.identityCenter });
  return out;
}

const IDENTITY_CENTER_ACCOUNT_KEY = "identity-center";

/** Existing roles in an account that cross-account access attaches a policy to (not named with the stage's prefix). */
export function sourceRoleNamesIn(ctx: Pick<StageContext, "config">, accountId: string): string[] {
  const names = ctx.config.accounts.workloads.filter((w) => w.id === accountId).map((w) => w.name);
  return [
    ...new Set(
      ctx.config.crossAccount.roles.filter((x) => x.sourceAccounts.some((s) => names.includes(s))).flatMap((x) => x.sourceRoleNames),
    ),
  ].sort();
}

/**
 * Regions the stage acts in: its Region, the secrets key's (state and secrets are read there), the IAM
 * Identity Center instance's (the permission set is managed there), and any the stage adds.
 */
function stageRegions(config: StageContext["config"]): string[] {
  const key = config.cicd.stateBackend?.kmsKeyArn;
  const sso = identityCenterOf(config)?.ssoRegion;
  return [...new Set([config.region, ...(key ? [key.split(":")[3]!] : []), ...(sso ? [sso] : []), ...config.cicd.additionalRegions])];
}

const identityCenterOf = (config: StageContext["config"]) =>
  config.federation.mode === "identity-center" ? config.federation.identityCenter : undefined;

/** The permission set's instance, for the CI roles of the account that administers it (the stage's IdC resources live there). */
function identityCenterArgsFor(config: StageContext["config"], accountId: string): Pick<cicd.GitHubDeployRolesArgs, "identityCenter"> {
  const idc = identityCenterOf(config);
  if (!idc || idc.adminAccount.id !== accountId) return {};
  return { identityCenter: { instanceArn: idc.instanceArn, assignmentAccountIds: [config.accounts.inference.id] } };
}

/**
 * The workload permissions boundary of every account of the stage (delegated administration: the CI
 * roles may create and change only roles that carry one of the stage's boundaries). Composed first,
 * before any role, whether or not the stage uses CI: every role the program creates carries the
 * boundary of its account (the developers' role keeps the developer boundary). By account id.
 */
export function composeWorkloadBoundaries(ctx: Pick<StageContext, "config" | "providers" | "tags">): Record<string, pulumi.Output<string>> {
  const { config } = ctx;
  const backend = config.cicd.enabled ? config.cicd.stateBackend : undefined;
  const out: Record<string, pulumi.Output<string>> = {};
  for (const a of stageAccounts(ctx)) {
    const managedRoleNames = sourceRoleNamesIn(ctx, a.id);
    out[a.id] = new cicd.WorkloadBoundary(
      `${config.namePrefix}-boundary-${a.key}`,
      {
        namePrefix: config.namePrefix,
        accountId: a.id,
        allowedRegions: stageRegions(config),
        ...(backend
          ? { stateBackend: { bucketName: backend.bucket, ...(backend.kmsKeyArn ? { kmsKeyArn: backend.kmsKeyArn } : {}) } }
          : {}),
        ...(managedRoleNames.length ? { managedRoleNames } : {}),
        developerBoundary: a.key === "inference",
        tags: { ...ctx.tags },
      },
      { providers: { aws: a.provider } },
    ).arn;
  }
  return out;
}

/**
 * Composes the cicd area: the GitHub Actions roles in every account of the stage. CI signs in to the
 * inference account with GitHub's OIDC token (deploy on the configured branch/environment, preview on
 * pull requests, release on helper tags); the stage's providers then chain into the same-named role
 * in each other account, which trusts only the inference account's role of the same kind.
 */
export function composeCicd(ctx: StageContext): CicdPart | undefined {
  const cfg = ctx.config.cicd;
  if (!cfg.enabled) return undefined;
  const { config } = ctx;
  // The config requires stage.cicd.github, the organisation across accounts and a registry for a release (stacks/config).
  if (!cfg.github) return undefined;
  const accounts = stageAccounts(ctx);
  const [entry, ...others] = accounts;
  const rel = cfg.release;
  const registry = config.decisions.releaseRegistry;
  // To another npm registry (distribution.registry.kind: npm) CI publishes with a token: the role only reads the outputs.
  const release: cicd.ReleaseArgs | undefined =
    rel && (registry || config.decisions.releaseNpmRegistryUrl)
      ? {
          environment: rel.environment,
          ...(rel.tagPattern ? { tagPattern: rel.tagPattern } : {}),
          ...(registry ? { codeArtifact: registry } : {}),
        }
      : undefined;
  const common = {
    namePrefix: config.namePrefix,
    allowedRegions: stageRegions(config),
    maxSessionSeconds: cfg.maxSessionMinutes * 60,
    // The bucket may hold every stage's state: the roles reach only this project's and stack's objects.
    ...(cfg.stateBackend
      ? {
          stateBackend: {
            bucketName: cfg.stateBackend.bucket,
            project: pulumi.getProject(),
            stack: pulumi.getStack(),
            ...(cfg.stateBackend.kmsKeyArn ? { kmsKeyArn: cfg.stateBackend.kmsKeyArn } : {}),
          },
        }
      : {}),
    tags: { ...ctx.tags },
  };
  // The CI roles carry the account's workload boundary, or the one the organisation provides.
  const boundaryOf = (a: StageAccount) => ({ permissionsBoundaryArn: cfg.permissionsBoundaryArn ?? ctx.workloadBoundaryArns[a.id]! });

  const entryRoles = new cicd.GitHubDeployRoles(
    `${config.namePrefix}-cicd-${entry.key}`,
    {
      ...common,
      ...boundaryOf(entry),
      ...identityCenterArgsFor(config, entry.id),
      accountId: entry.id,
      developerBoundary: true,
      github: {
        repository: cfg.github.repository,
        ...(cfg.github.deployBranch ? { deployBranch: cfg.github.deployBranch } : {}),
        deployEnvironments: cfg.github.deployEnvironments,
        previewOnPullRequests: cfg.github.previewOnPullRequests,
        ...(cfg.github.existingOidcProviderArn ? { existingOidcProviderArn: cfg.github.existingOidcProviderArn } : {}),
        ...(release ? { release } : {}),
      },
      chainTo: accounts.map((a) => a.id),
    },
    { providers: { aws: entry.provider } },
  );

  const deployRoleArns: Record<string, pulumi.Output<string>> = { [entry.key]: entryRoles.deployRoleArn };
  const previewRoleArns: Record<string, pulumi.Output<string>> = entryRoles.previewRoleArn
    ? { [entry.key]: entryRoles.previewRoleArn }
    : {};
  for (const a of others) {
    const roles = new cicd.GitHubDeployRoles(
      `${config.namePrefix}-cicd-${a.key}`,
      {
        ...common,
        ...boundaryOf(a),
        ...identityCenterArgsFor(config, a.id),
        accountId: a.id,
        managedRoleNames: sourceRoleNamesIn(ctx, a.id),
        // Workload accounts only get the policy that lets their source roles assume the inference
        // account's restricted role: CI needs IAM there and nothing else. The IdC administrator account
        // gets no service group at all: only the permission set policy (identityCenterArgsFor).
        ...(a.key.startsWith("workload-") ? { permissionGroups: ["identity"] } : {}),
        ...(a.key === IDENTITY_CENTER_ACCOUNT_KEY ? { permissionGroups: [] } : {}),
        chainFrom: {
          accountId: entry.id,
          ...(config.organizationId ? { organizationId: config.organizationId } : {}),
          preview: cfg.github.previewOnPullRequests,
        },
      },
      { providers: { aws: a.provider } },
    );
    deployRoleArns[a.key] = roles.deployRoleArn;
    if (roles.previewRoleArn) previewRoleArns[a.key] = roles.previewRoleArn;
  }

  return {
    deployRoleArns,
    previewRoleArns,
    outputs: {
      // Set these as the repository's Actions variables (docs/ci-cd.md): the workflows read them.
      cicd: {
        deployRoleArn: entryRoles.deployRoleArn,
        ...(entryRoles.previewRoleArn ? { previewRoleArn: entryRoles.previewRoleArn } : {}),
        ...(entryRoles.releaseRoleArn ? { releaseRoleArn: entryRoles.releaseRoleArn } : {}),
        ...(entryRoles.oidcProviderArn ? { githubOidcProviderArn: entryRoles.oidcProviderArn } : {}),
        deployRoleArns,
        previewRoleArns,
      },
    },
  };
}
