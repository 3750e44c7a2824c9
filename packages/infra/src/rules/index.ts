/**
 * Security rules as code (cdk-nag style). Each rule is a pure function over recorded resources; the
 * same list runs in every component test, both stack tests, the offline plan and the policy pack.
 */
import type { RecordedResource } from "../testing/recorder";
import { DATA_RULES } from "./data-rules";
import { IAM_RULES } from "./iam-rules";
import { ANALYTICS_RULES } from "./analytics-rules";
import { DISTRIBUTION_RULES } from "./distribution-rules";
import { QUOTAS_RULES } from "./quotas-rules";
import { TELEMETRY_RULES } from "./telemetry-rules";
import { CICD_RULES } from "./cicd-rules";
import { IDENTITY_CENTER_RULES } from "./identity-center-rules";
import type { Finding, RuleVerdict, SecurityRule } from "./types";

export type { Finding, RuleSeverity, RuleVerdict, SecurityRule } from "./types";
export { statementsOf } from "./iam-rules";

/** Every rule, in a stable order. Each area's rules live in `<area>-rules.ts` and are listed here. */
const registry: readonly SecurityRule[] = [
  ...IAM_RULES,
  ...DATA_RULES,
  ...TELEMETRY_RULES,
  ...QUOTAS_RULES,
  ...ANALYTICS_RULES,
  ...DISTRIBUTION_RULES,
  ...CICD_RULES,
  ...IDENTITY_CENTER_RULES,
];

const duplicate = registry.find((r, i) => registry.findIndex((x) => x.id === r.id) !== i);
if (duplicate) throw new Error(`security rule id ${duplicate.id} is defined twice`);

export function allRules(): readonly SecurityRule[] {
  return registry;
}

/**
 * Accepted exceptions, reviewed like code: `rule id` → resource name → reason. Empty on purpose;
 * an entry here needs a reason a security reviewer signs off.
 */
export const ACCEPTED_EXCEPTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {};

/** Runs rules over a stack and returns one verdict per rule. */
export function evaluateRules(stack: readonly RecordedResource[], rules: readonly SecurityRule[] = registry): RuleVerdict[] {
  return rules.map((rule) => {
    const severity = rule.severity ?? "mandatory";
    const targets = stack.filter((r) => rule.types.includes(r.type));
    const findings: Finding[] = targets.flatMap((r) =>
      ACCEPTED_EXCEPTIONS[rule.id]?.[r.name]
        ? []
        : rule.check(r, stack).map((message) => ({ rule: rule.id, severity, resource: r.name, type: r.type, message })),
    );
    return { rule: rule.id, description: rule.description, severity, checked: targets.length, findings };
  });
}

/** The mandatory findings of a stack, flattened: the assertion every component test makes is that this is empty. */
export function findingsOf(stack: readonly RecordedResource[]): Finding[] {
  return evaluateRules(stack).flatMap((v) => v.findings.filter((f) => f.severity === "mandatory"));
}

/** The advisory findings of a stack: trade-offs the stage opted into (reported, never blocking). */
export function advisoriesOf(stack: readonly RecordedResource[]): Finding[] {
  return evaluateRules(stack).flatMap((v) => v.findings.filter((f) => f.severity === "advisory"));
}
