import { GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import { ok, fail, errText, missingOutput, type CheckResult, type VerifyContext } from "./context";

/** Dashboard: the telemetry dashboard exists (in the telemetry account). */

/** The dashboard the stack exports exists. */
export async function dashboardChecks(ctx: VerifyContext): Promise<CheckResult[]> {
  const { s, c } = ctx;
  if (!s.telemetryDashboard) return [missingOutput("dashboard", "telemetryDashboard")];
  try {
    await c.telemetryCw.send(new GetDashboardCommand({ DashboardName: s.telemetryDashboard }));
    return [ok("dashboard", `${s.telemetryDashboard} exists`)];
  } catch (e) {
    return [fail("dashboard", `dashboard ${s.telemetryDashboard}: ${errText(e)}`, "run `pulumi up` to recreate the dashboard")];
  }
}
