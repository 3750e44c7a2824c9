import type { RecordedResource } from "../testing/recorder";

/**
 * A security rule: a pure function over one recorded resource (with the whole stack for context)
 * that returns findings; an empty list means compliant. Rules never see Pulumi objects, only
 * resolved inputs, so the same rule runs in unit tests, in the offline plan and in the policy pack.
 */
export interface SecurityRule {
  /** Stable id, e.g. `iam-no-wildcard-actions`. */
  readonly id: string;
  /** One line a reviewer reads. */
  readonly description: string;
  /** Resource types the rule inspects. */
  readonly types: readonly string[];
  /**
   * `mandatory` (the default): a finding fails tests, the plan and the policy pack. `advisory`: a
   * deliberate, documented trade-off the stage opted into; reported with its reason, never blocking.
   */
  readonly severity?: RuleSeverity;
  readonly check: (resource: RecordedResource, stack: readonly RecordedResource[]) => string[];
}

export type RuleSeverity = "mandatory" | "advisory";

export interface Finding {
  readonly rule: string;
  readonly severity: RuleSeverity;
  readonly resource: string;
  readonly type: string;
  readonly message: string;
}

export interface RuleVerdict {
  readonly rule: string;
  readonly description: string;
  readonly severity: RuleSeverity;
  /** How many resources the rule inspected. */
  readonly checked: number;
  readonly findings: readonly Finding[];
}
