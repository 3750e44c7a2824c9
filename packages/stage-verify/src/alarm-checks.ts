import { type CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import type { CheckResult } from "./checks";

/**
 * Whether every named alarm exists and notifies the topic. The inference alarms and, in the telemetry
 * account (its own CloudWatch client and, in prod, its own topic), the telemetry alarms.
 */
export async function alarmsNotify(check: string, cw: CloudWatchClient, names: readonly string[], topicArn: string): Promise<CheckResult> {
  const found = new Map<string, string[]>();
  for (let i = 0; i < names.length; i += 100) {
    const r = await cw.send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100) }));
    for (const a of r.MetricAlarms ?? []) found.set(a.AlarmName!, a.AlarmActions ?? []);
  }
  const missing = names.filter((n) => !found.has(n));
  const unwired = names.filter((n) => found.has(n) && !found.get(n)!.includes(topicArn));
  if (missing.length === 0 && unwired.length === 0) return { check, ok: true, detail: `${names.length} alarm(s) notify ${topicArn}` };
  return {
    check,
    ok: false,
    detail: [
      missing.length ? `missing: ${missing.join(", ")}` : "",
      unwired.length ? `not notifying ${topicArn}: ${unwired.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; "),
    fix: "run `pulumi up` to recreate the alarms and their actions",
  };
}
