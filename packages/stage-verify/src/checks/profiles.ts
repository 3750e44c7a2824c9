import { GetInferenceProfileCommand, ListTagsForResourceCommand } from "@aws-sdk/client-bedrock";
import { ok, fail, type CheckResult, type VerifyContext } from "./context";

/** Inference profiles: each team's profile routes to the stage's model and carries the cost tags. */

/** One team's profile for one model role; records the tag keys it relies on in `tagKeys`. */
export async function teamProfileChecks(
  ctx: VerifyContext,
  team: string,
  role: string,
  arn: string,
  tagKeys: Set<string>,
): Promise<CheckResult[]> {
  const { s, c } = ctx;
  const check = `inference-profile ${team}/${role}`;
  const p = await c.bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: arn }));
  const out: CheckResult[] = [];
  const expected = s.models[role];
  // Application profiles copy a system cross-Region profile: they route to that model in each Region it names.
  const modelId = expected?.replace(/^(us|eu|apac|jp|au|us-gov|global)\./, "");
  const arns = (p.models ?? []).map((m) => m.modelArn ?? "");
  const routesOk =
    p.status === "ACTIVE" && modelId !== undefined && arns.length > 0 && arns.every((m) => m.endsWith(`foundation-model/${modelId}`));
  out.push(
    routesOk
      ? ok(check, `${p.inferenceProfileName} routes to ${modelId} (${arns.length} Region${arns.length === 1 ? "" : "s"})`)
      : fail(
          check,
          `${arn} is ${p.status ?? "unknown"} and routes to ${arns.join(", ") || "nothing"}, expected ${modelId ?? `a ${role} model`}`,
          "profiles cannot be edited: `pulumi up --replace <profile URN>` recreates it from models in the stage file",
        ),
  );
  const tags = Object.fromEntries(
    ((await c.bedrock.send(new ListTagsForResourceCommand({ resourceARN: arn }))).tags ?? []).map((t) => [t.key, t.value]),
  );
  const missing = [
    ["team", team],
    ["cost-center", undefined],
  ]
    .filter(([k, v]) => tags[k!] === undefined || (v !== undefined && tags[k!] !== v))
    .map(([k]) => k);
  for (const k of ["team", "cost-center"]) tagKeys.add(k);
  out.push(
    missing.length === 0
      ? ok(`${check} tags`, `team=${tags.team}, cost-center=${tags["cost-center"]}`)
      : fail(
          `${check} tags`,
          `missing or wrong tags: ${missing.join(", ")}`,
          "run `pulumi up` to restore the tags (cost per team in Cost Explorer depends on them)",
        ),
  );
  return out;
}

/** A stage without team profiles has nothing to route developers to. */
export function noTeamProfiles(): CheckResult {
  return fail(
    "inference-profile",
    "the stack has no team inference profiles",
    "list teams under teams: in the stage file and run `pulumi up`",
  );
}
