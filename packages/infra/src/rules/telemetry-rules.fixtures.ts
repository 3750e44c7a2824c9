import type { RuleFixture } from "./fixtures";

/** One compliant and one non-compliant fixture per telemetry rule. */
export const TELEMETRY_FIXTURES: Record<string, RuleFixture> = {};
