import * as pulumi from "@pulumi/pulumi";
import { allow, deny, type Statement } from "../iam";
import { type CrossRegionPrefix, GEOGRAPHY_REGION_PATTERNS, profileId } from "./models";
import { BEARER_TOKEN_ACTIONS, MODEL_INVOKE_ACTIONS, PROFILE_LIST_ACTIONS, PROFILE_READ_ACTIONS } from "./perms";

type In = pulumi.Input<string>;

/** Tag key that names a team on its application inference profiles and on its developers' sessions. */
export const TEAM_TAG_KEY = "team";

/**
 * IAM policy variable for the calling session's `team` tag, resolved by IAM per request. Deliberately a
 * plain (double-quoted) string: as a template literal or inside `pulumi.interpolate` the `${…}` would be
 * evaluated by JavaScript; `renderPolicy` (`jsonStringify`) writes a plain string as is.
 */
export const PRINCIPAL_TEAM_VARIABLE = "${aws:PrincipalTag/team}";

export interface ModelAccessSpec {
  readonly partition: In;
  readonly accountId: In;
  /** Source Region of the calls. */
  readonly region: string;
  /** Base model ids (`anthropic.claude-…`). */
  readonly models: readonly string[];
  readonly crossRegion: CrossRegionPrefix | "none";
  /** Application inference profiles of the stage (team profiles). */
  readonly applicationProfileArns: readonly In[];
  /** Deny Bedrock API keys for these principals. */
  readonly denyBearerTokens: boolean;
  /**
   * Only a session whose `team` principal tag equals a profile's `team` resource tag may invoke that
   * application inference profile. System profiles stay open to every session. Default false.
   */
  readonly restrictTeamProfiles?: boolean;
}

/**
 * The model-access statements for one stage. Invocation is allowed only through the stage's
 * inference profiles: the profile ARNs themselves, and the foundation models behind them in the
 * profile's geography *only when reached through one of those profiles* (`bedrock:InferenceProfileArn`),
 * so direct on-demand calls and other models are not granted. `global.` profiles route to any
 * commercial Region and also evaluate the Region-less foundation-model ARN.
 *
 * With `restrictTeamProfiles` the application (team) profiles get their own statement, conditioned on
 * `aws:ResourceTag/team` = `${aws:PrincipalTag/team}` (Bedrock's service authorization reference lists
 * `aws:ResourceTag/${TagKey}` for the application-inference-profile resource type, and none for
 * system profiles or foundation models, which is why the condition stays off those statements). The
 * foundation-model statement keeps naming every profile: Bedrock authorises the profile and the model
 * behind it separately, so the profile statement alone decides whose team profile a session may use.
 */
export function modelAccessStatements(spec: ModelAccessSpec): Statement[] {
  if (spec.models.length === 0) throw new Error("model access needs at least one model");
  const p = spec.partition;
  const systemProfiles: pulumi.Output<string>[] =
    spec.crossRegion === "none"
      ? []
      : spec.models.map(
          (m) => pulumi.interpolate`arn:${p}:bedrock:${spec.region}:${spec.accountId}:inference-profile/${profileId(m, spec.crossRegion)}`,
        );
  const profiles: In[] = [...systemProfiles, ...spec.applicationProfileArns];

  const foundation: pulumi.Output<string>[] = [];
  for (const m of spec.models) {
    const regions = spec.crossRegion === "none" ? [spec.region] : GEOGRAPHY_REGION_PATTERNS[spec.crossRegion];
    for (const r of regions) foundation.push(pulumi.interpolate`arn:${p}:bedrock:${r}::foundation-model/${m}`);
    if (spec.crossRegion === "global") foundation.push(pulumi.interpolate`arn:${p}:bedrock:::foundation-model/${m}`);
  }

  const statements: Statement[] = [];
  if (spec.restrictTeamProfiles && spec.applicationProfileArns.length > 0) {
    if (systemProfiles.length > 0) statements.push(allow(MODEL_INVOKE_ACTIONS, systemProfiles, { sid: "InvokeThroughSystemProfiles" }));
    statements.push(
      allow(MODEL_INVOKE_ACTIONS, spec.applicationProfileArns, {
        sid: "InvokeOwnTeamProfiles",
        conditions: { StringEquals: { [`aws:ResourceTag/${TEAM_TAG_KEY}`]: PRINCIPAL_TEAM_VARIABLE } },
      }),
    );
  } else if (profiles.length > 0) {
    statements.push(allow(MODEL_INVOKE_ACTIONS, profiles, { sid: "InvokeThroughStageProfiles" }));
  }
  statements.push(
    allow(MODEL_INVOKE_ACTIONS, foundation, {
      sid: "InvokeModelsBehindProfiles",
      // In-Region on-demand (`none`) calls the source-Region model directly; with cross-Region
      // profiles the destination-Region models are reachable only through the stage's profiles.
      ...(spec.crossRegion !== "none" ? { conditions: { StringEquals: { "bedrock:InferenceProfileArn": profiles } } } : {}),
    }),
  );
  if (profiles.length > 0) statements.push(allow(PROFILE_READ_ACTIONS, profiles, { sid: "ReadStageProfiles" }));
  statements.push(allow(PROFILE_LIST_ACTIONS, ["*"], { sid: "ListProfiles" }));
  if (spec.denyBearerTokens) statements.push(deny(BEARER_TOKEN_ACTIONS, ["*"], { sid: "DenyBedrockApiKeys" }));
  return statements;
}
