import { alarmChecks, subscriptionChecks, telemetryAlarmChecks } from "./checks/alarms";
import { type CheckResult, errText, fail, verifyContext, type VerifyOptions } from "./checks/context";
import { costAllocationTagChecks } from "./checks/cost-tags";
import { dashboardChecks } from "./checks/dashboard";
import { oidcProviderChecks, userRoleChecks } from "./checks/federation";
import { invokeChecks } from "./checks/invoke";
import { invocationLoggingChecks } from "./checks/logging";
import { noTeamProfiles, teamProfileChecks } from "./checks/profiles";
import { quotaApiAuthChecks, quotaTableChecks } from "./checks/quotas";
import { collectorAuthChecks, collectorTargetChecks } from "./checks/telemetry";
import type { StageUnderTest } from "./outputs";

export type { CheckResult, VerifyOptions } from "./checks/context";
export { tlsChainFingerprints } from "./checks/http";

/** Runs every check; never throws (an unexpected error is that check's FAIL). */
export async function verifyStage(s: StageUnderTest, opts: VerifyOptions = {}): Promise<CheckResult[]> {
  const ctx = verifyContext(s, opts);
  const results: CheckResult[] = [];
  const add = async (check: string, run: () => Promise<CheckResult[]>) => results.push(...(await guarded(check, run)));

  await add("oidc-provider", () => oidcProviderChecks(ctx));
  await add("user-role", () => userRoleChecks(ctx));
  await add("invocation-logging", () => invocationLoggingChecks(ctx));
  const tagKeys = new Set<string>();
  for (const [team, roles] of Object.entries(s.teamInferenceProfiles)) {
    for (const [role, arn] of Object.entries(roles)) {
      await add(`inference-profile ${team}/${role}`, () => teamProfileChecks(ctx, team, role, arn, tagKeys));
    }
  }
  if (Object.keys(s.teamInferenceProfiles).length === 0) results.push(noTeamProfiles());
  await add("cost-allocation-tags", () => costAllocationTagChecks(ctx, tagKeys));
  if (s.telemetryEndpoint || s.telemetryLoadBalancerDnsName) {
    await add("collector targets", () => collectorTargetChecks(ctx));
    await add("collector auth", () => collectorAuthChecks(ctx));
    await add("dashboard", () => dashboardChecks(ctx));
  }
  if (s.quotaCheckUrl) await add("quota api auth", () => quotaApiAuthChecks(ctx));
  for (const table of s.quotaTables) await add(`quota table ${table}`, () => quotaTableChecks(ctx, table));
  await add("alarms", () => alarmChecks(ctx));
  if (s.telemetryEndpoint) await add("telemetry-alarms", () => telemetryAlarmChecks(ctx));
  const topics = [
    [s.alarmTopicArn, ctx.c.sns],
    [s.quotaAlertTopicArn, ctx.c.sns],
    [s.telemetryAlarmTopicArn, ctx.c.telemetrySns],
  ] as const;
  for (const [topic, sns] of topics) {
    if (topic !== undefined) await add(`subscriptions ${topic.split(":").pop()}`, () => subscriptionChecks(ctx, topic, sns));
  }
  if (opts.invoke) await add("invoke", () => invokeChecks(ctx));
  return results;
}

/** An unexpected error (no permission, wrong Region, throttling) is the check's FAIL, not the run's end. */
async function guarded(check: string, run: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
  try {
    return await run();
  } catch (e) {
    return [
      fail(
        check,
        `could not check: ${errText(e)}`,
        "check that your credentials may read this resource (the ReadOnlyAccess managed policy covers every call) and that AWS_REGION/the stack's region is right",
      ),
    ];
  }
}
