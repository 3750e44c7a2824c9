import type { RuleFixture } from "./fixtures";

/** One compliant and one non-compliant fixture per distribution rule. */
export const DISTRIBUTION_FIXTURES: Record<string, RuleFixture> = {};
