import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsEnvironment } from "../iam";
import { physicalName } from "../naming";
import { childOpts, type BuilderScope } from "../scope";
import type { InferenceAccountArgs, ModelRole } from "./args";
import { TEAM_TAG_KEY } from "./model-access";
import { profileId } from "./models";

export type TeamProfiles = Record<string, Partial<Record<ModelRole, pulumi.Output<string>>>>;

/** One application inference profile per team and model role, tagged for cost allocation. */
export function buildTeamProfiles(
  scope: BuilderScope,
  args: Pick<InferenceAccountArgs, "namePrefix" | "region" | "models" | "crossRegion" | "teams"> & { env: AwsEnvironment },
): TeamProfiles {
  const { name, tags } = scope;
  const { env } = args;
  const profiles: TeamProfiles = {};
  const roles = (Object.keys(args.models) as ModelRole[]).filter((r) => args.models[r]);
  for (const team of args.teams) {
    profiles[team.name] = {};
    for (const role of roles) {
      const model = args.models[role]!;
      const source =
        args.crossRegion === "none"
          ? pulumi.interpolate`arn:${env.partition}:bedrock:${args.region}::foundation-model/${model}`
          : pulumi.interpolate`arn:${env.partition}:bedrock:${args.region}:${env.accountId}:inference-profile/${profileId(model, args.crossRegion)}`;
      const profile = new aws.bedrock.InferenceProfile(
        `${name}-${team.name}-${role}`,
        {
          name: physicalName("inferenceProfile", [args.namePrefix, team.name, role]),
          description: `Claude Code ${role} model for team ${team.name}`,
          modelSource: { copyFrom: source },
          region: args.region,
          tags: { ...tags, ...(team.tags ?? {}), [TEAM_TAG_KEY]: team.name, "cost-center": team.costCenter, "model-role": role },
        },
        childOpts(scope),
      );
      profiles[team.name]![role] = profile.arn;
    }
  }
  return profiles;
}
