import * as pulumi from "@pulumi/pulumi";
import { cicd, crossAccount, federation, inference, providers } from "@ccb/infra";
import { parseStageSettings, STAGE_SETTINGS_SCHEMA_VERSION, type StageSettings, type TeamSettings } from "@ccb/contracts";
import type { StageConfig } from "./config/stage-config";
import { composeAnalytics } from "./compose/analytics";
import { composeBilling } from "./compose/billing";
import { composeCicd, composeWorkloadBoundaries } from "./compose/cicd";
import type { HelperSettingsFragment, StageContext, StagePart, StageProviders } from "./compose/context";
import { composeDistribution } from "./compose/distribution";
import { composeQuotas } from "./compose/quotas";
import { composeTelemetry } from "./compose/telemetry";
import { composeIdentityCenter, identityCenterUserRole } from "./compose/identity-center";
import { composeTokenEndpoint } from "./compose/token-endpoint";

/** Stack outputs of a stage. */
export interface StageOutputs {
  /** Everything the credential helper needs (validated against the stage-settings schema). */
  readonly helperSettings: pulumi.Output<StageSettings>;
  readonly userRoleArn: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly teamInferenceProfiles: Record<string, Record<string, pulumi.Output<string>>>;
  readonly crossAccountRoleArns: Record<string, pulumi.Output<string>>;
  readonly invocationLogGroup?: pulumi.Output<string>;
  readonly [extra: string]: unknown;
}

/** Composes a whole stage from its configuration. Composition only: every decision lives in the config. */
export function deployStage(config: StageConfig): StageOutputs {
  const tags = { ...config.tags, stage: config.name, "managed-by": "pulumi" };
  // Pull-request previews run with the read-only preview role (CCB_DEPLOY_ROLE_KIND=preview), deploys with the deploy role.
  const roleKind = cicd.ciRoleKind(process.env);
  const deployRole = (arn: string) => (roleKind === "preview" ? cicd.previewRoleArnFor(arn, config.namePrefix) : arn);
  const providerFor = (name: string, account: { id: string; deployRoleArn?: string }, region = config.region) =>
    providers.accountProvider(name, {
      accountId: account.id,
      region,
      ...(account.deployRoleArn ? { deployRoleArn: deployRole(account.deployRoleArn) } : {}),
      sessionName: `pulumi-${config.namePrefix}`,
      defaultTags: tags,
    });
  const inferenceProvider = providerFor(`${config.namePrefix}-inference`, config.accounts.inference);
  const telemetryProvider =
    config.accounts.telemetry.id === config.accounts.inference.id &&
    config.accounts.telemetry.deployRoleArn === config.accounts.inference.deployRoleArn
      ? inferenceProvider
      : providerFor(`${config.namePrefix}-telemetry`, config.accounts.telemetry);
  const workloadProviders = new Map(
    config.accounts.workloads.map((w) => [w.name, providerFor(`${config.namePrefix}-workload-${w.name}`, w)]),
  );
  // Data Exports and Cost Explorer answer in us-east-1 only.
  const inferenceBillingApi = !config.analytics.billing.enabled
    ? undefined
    : config.region === "us-east-1"
      ? inferenceProvider
      : providerFor(`${config.namePrefix}-inference-us-east-1`, config.accounts.inference, "us-east-1");
  const stageProviders: StageProviders = {
    inference: inferenceProvider,
    telemetry: telemetryProvider,
    ...(inferenceBillingApi ? { inferenceBillingApi } : {}),
    workload(name) {
      const p = workloadProviders.get(name);
      if (!p) throw new Error(`no workload account named "${name}" in stage ${config.name}`);
      return p;
    },
  };
  const inInference = { providers: { aws: inferenceProvider } };
  // Before any role: every role the program creates carries its account's workload boundary.
  const workloadBoundaryArns = composeWorkloadBoundaries({ config, providers: stageProviders, tags });
  const inferenceBoundary = workloadBoundaryArns[config.accounts.inference.id]!;
  const idp = config.identityProvider;

  // ---- Federation ----------------------------------------------------------------------------
  const access = {
    ...(idp.allowedSubjects.length ? { allowedSubjects: idp.allowedSubjects } : {}),
    ...(idp.requiredSessionTag ? { requiredSessionTag: idp.requiredSessionTag } : {}),
  };
  const oidc = new federation.OidcFederation(
    `${config.namePrefix}-federation`,
    {
      issuer: idp.issuer,
      clientIds: [idp.clientId],
      ...(idp.existingProviderArn ? { existingProviderArn: idp.existingProviderArn } : {}),
      ...access,
      // The email session tag the quota block keys on must be in every session (direct federation only).
      ...(idp.emailSessionTag && config.federation.mode === "direct" ? { requiredTagKeys: [idp.emailSessionTag] } : {}),
      maxSessionHours: config.federation.sessionDurationHours,
      createRole: config.federation.mode === "direct",
      // Caps every developer session at model invocation, registry reads and quota checks.
      boundaryNamePrefix: config.namePrefix,
      tags,
    },
    inInference,
  );
  let userRole: { arn: pulumi.Output<string>; name: pulumi.Output<string> };
  // Set for IdC stages once the permission set is composed (after the areas).
  let federationSettings: pulumi.Input<StageSettings["federation"]> | undefined;
  if (config.federation.mode === "cognito-identity-pool") {
    const pool = new federation.CognitoIdentityPoolFederation(
      `${config.namePrefix}-identity-pool`,
      {
        issuer: idp.issuer,
        clientIds: [idp.clientId],
        oidcProviderArn: oidc.providerArn,
        permissionsBoundaryArn: oidc.boundaryArn!,
        ...access,
        principalTags: {
          email: idp.emailClaim,
          ...(idp.attributeClaims.department ? { department: idp.attributeClaims.department } : {}),
          ...(idp.attributeClaims.team ? { team: idp.attributeClaims.team } : {}),
        },
        tags,
      },
      inInference,
    );
    userRole = { arn: pool.roleArn, name: pool.roleName };
    federationSettings = pulumi.output({
      mode: "cognito-identity-pool" as const,
      identityPoolId: pool.identityPoolId,
      identityPoolRegion: config.region,
      roleArn: pool.roleArn,
      providerName: pool.providerName,
    });
  } else if (config.federation.mode === "identity-center") {
    // The permission set is composed after the areas (its policy names the quota check route); its role is IdC's.
    userRole = identityCenterUserRole(config);
  } else {
    userRole = { arn: oidc.roleArn!, name: oidc.roleName! };
    federationSettings = pulumi.output({
      mode: "direct" as const,
      roleArn: oidc.roleArn!,
      sessionDurationSeconds: config.federation.sessionDurationHours * 3600,
    });
  }

  // ---- Inference account ---------------------------------------------------------------------
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
      permissionsBoundaryArn: inferenceBoundary,
      tags,
    },
    inInference,
  );
  account.grants.invokeModels({ roleName: userRole.name, key: "developers" });

  // IdC stages with telemetry: collector tokens for IAM callers (IdC users and the cross-account roles).
  const tokenEndpoint = composeTokenEndpoint(config, stageProviders, account.keyArn, tags, inferenceBoundary);

  // ---- Cross-account roles -------------------------------------------------------------------
  const crossAccountRoleArns: Record<string, pulumi.Output<string>> = {};
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
        permissionsBoundaryArn: inferenceBoundary,
        tags,
      },
      inInference,
    );
    for (const source of sources) {
      for (const roleName of x.sourceRoleNames)
        role.grantAssumeFrom(
          `${source.name}-${roleName.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`,
          roleName,
          stageProviders.workload(source.name),
        );
    }
    // Workloads and CI calling Bedrock through this role may report telemetry as it (GET /token only).
    tokenEndpoint?.grantInvoke({ roleName: role.role.name, key: `xa-${x.name}` });
    crossAccountRoleArns[x.name] = role.roleArn;
  }

  // ---- Areas ---------------------------------------------------------------------------------
  const ctx: StageContext = {
    ...(tokenEndpoint ? { tokenEndpoint } : {}),
    config,
    providers: stageProviders,
    tags,
    workloadBoundaryArns,
    issuer: idp.issuer,
    userRole,
    alarmTopicArn: account.alarmTopicArn,
    inferenceKeyArn: account.keyArn,
    teamProfiles: account.teamProfiles,
    alarmNames: account.alarmNames,
    ...(account.invocationLogs ? { invocationLogs: account.invocationLogs } : {}),
  };
  const parts: Record<string, StagePart | undefined> = {};
  parts.telemetry = composeTelemetry(ctx, parts);
  parts.quotas = composeQuotas(ctx, parts);
  parts.analytics = composeAnalytics(ctx, parts);
  parts.billing = composeBilling(ctx, parts);
  parts.distribution = composeDistribution(ctx, parts);
  parts.cicd = composeCicd(ctx, parts);
  if (config.federation.mode === "identity-center") {
    const idc = composeIdentityCenter(config, {
      account,
      boundary: { name: oidc.boundary!.name, resource: oidc.boundary! },
      parts,
      tags,
      deployRole,
      ...(tokenEndpoint ? { tokenEndpoint } : {}),
    });
    federationSettings = idc.settings;
  }

  // ---- Helper settings -----------------------------------------------------------------------
  const teamSettings: pulumi.Output<TeamSettings[]> = pulumi.output(
    config.teams.map((t) => {
      const profiles = account.teamProfiles[t.name]!;
      return pulumi.output({
        name: t.name,
        models: { primary: profiles.primary!, fast: profiles.fast!, ...(profiles.opus ? { opus: profiles.opus } : {}) },
      });
    }),
  ) as pulumi.Output<TeamSettings[]>;
  const fragments = Object.values(parts).flatMap((p) =>
    p?.helper ? [pulumi.output(p.helper)] : [],
  ) as pulumi.Output<HelperSettingsFragment>[];
  const systemModel = (id: string) => inference.profileId(id, config.models.crossRegion);
  const redirectHost = idp.redirectHost ?? (idp.kind === "cognito-user-pool" ? "localhost" : undefined);
  const helperSettings = pulumi.all([federationSettings!, teamSettings, pulumi.all(fragments)]).apply(([fed, teams, frags]) =>
    parseStageSettings(
      {
        schemaVersion: STAGE_SETTINGS_SCHEMA_VERSION,
        stage: config.name,
        organization: config.organization,
        awsProfile: `claude-bedrock-${config.name}`,
        region: config.region,
        identityProvider: {
          issuer: idp.issuer.iss,
          clientId: idp.clientId,
          scopes: idp.scopes,
          redirectPort: idp.redirectPort,
          redirectPath: "/callback",
          // Cognito user pools accept plain-http callback URLs only for http://localhost.
          ...(redirectHost ? { redirectHost } : {}),
          emailClaim: idp.emailClaim,
          ...(idp.groupsClaim ? { groupsClaim: idp.groupsClaim } : {}),
          attributeClaims: idp.attributeClaims,
        },
        federation: fed,
        models: {
          primary: systemModel(config.models.primary),
          fast: systemModel(config.models.fast),
          ...(config.models.opus ? { opus: systemModel(config.models.opus) } : {}),
        },
        teams,
        ...Object.assign({}, ...frags),
      },
      { source: `helper settings of stage ${config.name}` },
    ),
  );

  const extraOutputs = Object.assign({}, ...Object.values(parts).map((p) => p?.outputs ?? {}));
  return {
    ...extraOutputs,
    helperSettings,
    userRoleArn: userRole.arn,
    oidcProviderArn: oidc.providerArn,
    alarmTopicArn: account.alarmTopicArn,
    teamInferenceProfiles: account.teamProfiles as Record<string, Record<string, pulumi.Output<string>>>,
    crossAccountRoleArns,
    ...(account.invocationLogs ? { invocationLogGroup: account.invocationLogs.logGroupName } : {}),
    // Read by `npm run verify`: the logging configuration must point at this bucket, the role keep this
    // boundary, and these alarms must exist and notify the alarm topic.
    ...(account.invocationLogs ? { invocationLogBucket: account.invocationLogs.bucketName } : {}),
    ...(oidc.boundaryArn ? { userRoleBoundaryArn: oidc.boundaryArn } : {}),
    alarmNames: pulumi.all(account.alarmNames),
  };
}
