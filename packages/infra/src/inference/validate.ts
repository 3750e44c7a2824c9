import { validateTags } from "../naming";
import type { InferenceAccountArgs } from "./args";
import { TEAM_TAG_KEY } from "./model-access";
import { findModel, validateGeography } from "./models";

export function validateInferenceAccountArgs(args: InferenceAccountArgs): string[] {
  const problems: string[] = [];
  for (const [role, id] of Object.entries(args.models)) {
    const model = id ? findModel(id) : undefined;
    if (!model) problems.push(`\`models.${role}\` "${id}" is not a known Claude model id`);
    else if (args.crossRegion !== "none" && !model.prefixes.includes(args.crossRegion))
      problems.push(`\`models.${role}\` ${id} has no ${args.crossRegion}. profile`);
  }
  problems.push(...validateGeography(args.region, args.crossRegion).map((p) => `\`crossRegion\`: ${p}`));
  const names = args.teams.map((t) => t.name);
  names.forEach((n, i) => {
    if (!/^[a-z][a-z0-9-]{1,30}$/.test(n)) problems.push(`\`teams[${i}].name\` "${n}" must be 2–31 lower-case letters, digits, dashes`);
    if (names.indexOf(n) !== i) problems.push(`\`teams[${i}].name\` "${n}" is repeated`);
  });
  if (args.restrictTeamProfiles && args.teams.length === 0)
    problems.push("`restrictTeamProfiles` needs at least one team in `teams` (it restricts team profiles)");
  for (const t of args.teams)
    problems.push(
      ...validateTags({ [TEAM_TAG_KEY]: t.name, "cost-center": t.costCenter, ...(t.tags ?? {}) }).map((p) => `team ${t.name}: ${p}`),
    );
  return problems;
}
