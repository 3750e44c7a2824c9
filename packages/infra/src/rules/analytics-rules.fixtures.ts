import type { RuleFixture } from "./fixtures";

/** One compliant and one non-compliant fixture per analytics rule. */
export const ANALYTICS_FIXTURES: Record<string, RuleFixture> = {};
