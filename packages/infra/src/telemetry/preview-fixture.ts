import { dashboardBody } from "./dashboard";
import { namespaces } from "./metrics";
import { dashboardSvg } from "./preview";

/** The committed preview: the pilot's dashboard with two models and one alarm. */
export const PREVIEW_FILE = "docs/telemetry-dashboard.svg";

export function previewSvg(): string {
  const body = dashboardBody({
    stage: "pilot",
    region: "us-east-1",
    namespaces: namespaces("ccb-pilot"),
    bedrockModelIds: ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0"],
    alarmArns: ["arn:aws:cloudwatch:us-east-1:111111111111:alarm:ccb-pilot-throttles"],
  });
  return dashboardSvg(body, "CloudWatch dashboard ccb-pilot-claude-code (layout preview)");
}
