import type { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { allRules, evaluateRules, type SecurityRule } from "@ccb/infra/rules";
import { toRecordedResources } from "./resources";

/**
 * The security rules of `packages/infra/src/rules` as Pulumi policies: one stack policy per rule,
 * mandatory unless the rule is advisory (a documented trade-off a stage opts into). This module never constructs a `PolicyPack` (that starts the analyzer's gRPC
 * server), so tests import it directly; `src/index.ts` is the entry the Pulumi CLI runs.
 */

export const POLICY_PACK_NAME = "claude-code-bedrock-security";

/**
 * A stack policy rather than a resource policy: rules join resources (a bucket and its policy, a
 * role and its attachments) and need the account of each resource's provider.
 */
export function policyOfRule(rule: SecurityRule): StackValidationPolicy {
  return {
    name: rule.id,
    description: rule.description,
    enforcementLevel: rule.severity === "advisory" ? "advisory" : "mandatory",
    validateStack(args: StackValidationArgs, reportViolation: ReportViolation) {
      const byName = new Map<string, PolicyResource>(args.resources.map((r) => [r.name, r]));
      const stack = toRecordedResources(args.resources);
      for (const verdict of evaluateRules(stack, [rule])) {
        for (const f of verdict.findings) reportViolation(`${f.resource} (${f.type}): ${f.message}`, byName.get(f.resource)?.urn);
      }
    },
  };
}

/** Every rule, one policy each, in the registry's order. */
export const policies: StackValidationPolicy[] = allRules().map(policyOfRule);
