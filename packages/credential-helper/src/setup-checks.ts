/** Refusals `setup` makes before it writes anything. */
import type { StageSettings } from "@ccb/contracts";
import { awsConfigProblem } from "./aws-config.js";
import { HelperError } from "./errors.js";

/** `--team` must name one of the stage's teams: a typo would otherwise silently give the default models. */
export function assertKnownTeam(s: StageSettings, team: string | undefined): void {
  if (team === undefined || s.teams.some((t) => t.name === team)) return;
  if (s.teams.length === 0)
    throw new HelperError("ERR_SETUP_UNKNOWN_TEAM", `stage ${s.stage} has no teams, so --team ${team} cannot apply`);
  const names = s.teams.map((t) => t.name).sort((a, b) => editDistance(team, a) - editDistance(team, b) || a.localeCompare(b));
  throw new HelperError("ERR_SETUP_UNKNOWN_TEAM", `stage ${s.stage} has no team "${team}"; its teams, nearest first: ${names.join(", ")}`);
}

/** Levenshtein distance, case-insensitive: orders the suggestions for a mistyped team. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length]!;
}

/** The AWS CLI refuses a config it cannot parse; appending a profile to it would only hide that. */
export function assertAwsConfigParses(file: string, text: string | undefined): void {
  const problem = text === undefined ? undefined : awsConfigProblem(text);
  if (!problem) return;
  throw new HelperError(
    "ERR_SETUP_AWS_CONFIG_INVALID",
    `${file} line ${problem.line}: ${problem.problem}; the AWS CLI cannot read the file, so setup leaves it untouched`,
  );
}
