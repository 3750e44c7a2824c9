import * as pulumi from "@pulumi/pulumi";
import { inference } from "@ccb/infra";
import { parseStageSettings, STAGE_SETTINGS_SCHEMA_VERSION, type StageSettings, type TeamSettings } from "@ccb/contracts";
import type { StageConfig } from "../config/stage-config";
import type { HelperSettingsFragment, StageContext } from "./context";

/** What the helper settings are assembled from besides the config. */
export interface HelperSettingsInputs {
  readonly federation: pulumi.Output<StageSettings["federation"]>;
  readonly teamProfiles: NonNullable<StageContext["teamProfiles"]>;
  /** The blocks the optional areas contribute (telemetry, quota, distribution). */
  readonly fragments: readonly pulumi.Output<HelperSettingsFragment>[];
}

/** Everything the credential helper needs, validated against the stage-settings schema. */
export function composeHelperSettings(config: StageConfig, inputs: HelperSettingsInputs): pulumi.Output<StageSettings> {
  const idp = config.identityProvider;
  const teams: pulumi.Output<TeamSettings[]> = pulumi.all(
    config.teams.map((t) => {
      const profiles = inputs.teamProfiles[t.name]!;
      return pulumi
        .all([profiles.primary!, profiles.fast!, profiles.opus])
        .apply(([primary, fast, opus]) => ({ name: t.name, models: { primary, fast, ...(opus ? { opus } : {}) } }));
    }),
  );
  const systemModel = (id: string) => inference.profileId(id, config.models.crossRegion);
  const redirectHost = idp?.redirectHost ?? (idp?.kind === "cognito-user-pool" ? "localhost" : undefined);
  return pulumi.all([inputs.federation, teams, pulumi.all([...inputs.fragments])]).apply(([fed, teamSettings, frags]) =>
    parseStageSettings(
      {
        schemaVersion: STAGE_SETTINGS_SCHEMA_VERSION,
        stage: config.name,
        organization: config.organization,
        awsProfile: `claude-bedrock-${config.name}`,
        region: config.region,
        // An IAM Identity Center stage may have no corporate IdP: the SSO profile signs developers in there.
        ...(idp
          ? {
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
            }
          : {}),
        federation: fed,
        models: {
          primary: systemModel(config.models.primary),
          fast: systemModel(config.models.fast),
          ...(config.models.opus ? { opus: systemModel(config.models.opus) } : {}),
        },
        teams: teamSettings,
        // The helper's doctor then treats a team claim / team session tag mismatch as a failure: every call would be denied.
        ...(config.inference.restrictTeamProfiles ? { restrictTeamProfiles: true } : {}),
        // Behind a TLS-inspecting proxy every call the helper makes must trust the organisation's root.
        ...(config.helper.caBundlePath ? { caBundle: config.helper.caBundlePath } : {}),
        ...Object.assign({}, ...frags),
      },
      { source: `helper settings of stage ${config.name}` },
    ),
  );
}
