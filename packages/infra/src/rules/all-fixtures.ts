import { ANALYTICS_FIXTURES } from "./analytics-rules.fixtures";
import { DATA_FIXTURES } from "./data-rules.fixtures";
import { DISTRIBUTION_FIXTURES } from "./distribution-rules.fixtures";
import type { RuleFixture } from "./fixtures";
import { IAM_FIXTURES } from "./iam-rules.fixtures";
import { QUOTAS_FIXTURES } from "./quotas-rules.fixtures";
import { TELEMETRY_FIXTURES } from "./telemetry-rules.fixtures";
import { CICD_FIXTURES } from "./cicd-rules.fixtures";
import { IDENTITY_CENTER_FIXTURES } from "./identity-center-rules.fixtures";

/** Fixtures of every area; each area keeps its map in `<area>-rules.fixtures.ts`. */
export const ALL_FIXTURES: Record<string, RuleFixture> = {
  ...IAM_FIXTURES,
  ...DATA_FIXTURES,
  ...TELEMETRY_FIXTURES,
  ...QUOTAS_FIXTURES,
  ...ANALYTICS_FIXTURES,
  ...DISTRIBUTION_FIXTURES,
  ...CICD_FIXTURES,
  ...IDENTITY_CENTER_FIXTURES,
};
