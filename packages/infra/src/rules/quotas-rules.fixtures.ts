import type { RuleFixture } from "./fixtures";

/** One compliant and one non-compliant fixture per quotas rule. */
export const QUOTAS_FIXTURES: Record<string, RuleFixture> = {};
