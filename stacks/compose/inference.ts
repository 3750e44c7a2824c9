import * as pulumi from "@pulumi/pulumi";
import { crossAccount, inference } from "@ccb/infra";
import type { ModelAlias, StageContext } from "./context";

/** What the inference account hands to the rest of the stage. */
export interface InferencePart {
  readonly account: inference.InferenceAccount;
  /** Cross-account role ARN by `crossAccount.roles[].name`. */
  readonly crossAccountRoleArns: Record<string, pulumi.Output<string>>;
  /** Cross-account role name by `crossAccount.roles[].name` (grants from areas composed later). */
  readonly crossAccountRoleNames: Record<string, pulumi.Output<string>>;
  /**
   * Team users call their application inference profiles: each profile ARN priced and metered as its
   * base model. Resolved once here for telemetry, quotas and analytics.
   */
  readonly modelAliases: readonly ModelAlias[];
}

const MODEL_ROLES = ["primary", "fast", "opus"] as const;

type FoundationContext = Pick<StageContext, "config" | "providers" | "tags" | "workloadBoundaryArns" | "userRole">;

/** Composes the inference account (models, team profiles, logging, alarms) and the cross-account roles onto it. */
export function composeInference(ctx: FoundationContext): InferencePart {
  const { config, tags } = ctx;
  const inInference = { providers: { aws: ctx.providers.inference } };
  const boundary = ctx.workloadBoundaryArns[config.accounts.inference.id]!;
  const account = new inference.InferenceAccount(
    `${config.namePrefix}-inference`,
    {
      namePrefix: config.namePrefix,
      region: config.region,
      models: { primary: config.models.primary, fast: config.models.fast, ...(config.models.opus ? { opus: config.models.opus } : {}) },
      crossRegion: config.models.crossRegion,
      teams: config.teams,
      invocationLogging: config.inference.invocationLogging,
      alarms: config.inference.alarms,
      denyBedrockApiKeys: config.inference.denyBedrockApiKeys,
      restrictTeamProfiles: config.inference.restrictTeamProfiles,
      permissionsBoundaryArn: boundary,
      tags,
    },
    inInference,
  );
  account.grants.invokeModels({ roleName: ctx.userRole.name, key: "developers" });

  const crossAccountRoleArns: Record<string, pulumi.Output<string>> = {};
  const crossAccountRoleNames: Record<string, pulumi.Output<string>> = {};
  for (const x of config.crossAccount.roles) {
    const sources = config.accounts.workloads.filter((w) => x.sourceAccounts.includes(w.name));
    const role = new crossAccount.CrossAccountRole(
      `${config.namePrefix}-xa-${x.name}`,
      {
        roleName: `${config.namePrefix}-${x.name}`,
        sourceAccountIds: sources.map((w) => w.id),
        ...(config.organizationId ? { organizationId: config.organizationId } : {}),
        ...(x.externalId ? { externalId: pulumi.secret(x.externalId) } : {}),
        sourceRoleNames: x.sourceRoleNames,
        ...(x.principalArnPatterns.length ? { principalArnPatterns: x.principalArnPatterns } : {}),
        // With inference.restrictTeamProfiles the role can invoke a team profile only if it carries that
        // team's `team` tag (a role's tags are its principal tags); the system profiles stay open to it.
        permissions: account.modelAccessStatements(),
        permissionsBoundaryArn: boundary,
        tags,
      },
      inInference,
    );
    for (const source of sources) {
      for (const roleName of x.sourceRoleNames)
        role.grantAssumeFrom(
          `${source.name}-${roleName.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`,
          roleName,
          ctx.providers.workload(source.name),
        );
    }
    crossAccountRoleArns[x.name] = role.roleArn;
    crossAccountRoleNames[x.name] = role.role.name;
  }

  // In the order the account creates the profiles (primary, fast, opus).
  const modelAliases = Object.values(account.teamProfiles).flatMap((roles) =>
    MODEL_ROLES.flatMap((role) => {
      const id = roles[role];
      const base = config.models[role];
      return id && base ? [{ id, baseModelId: base }] : [];
    }),
  );
  return { account, crossAccountRoleArns, crossAccountRoleNames, modelAliases };
}
