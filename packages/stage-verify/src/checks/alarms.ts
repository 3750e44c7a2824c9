import { type CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { ListSubscriptionsByTopicCommand, type SNSClient } from "@aws-sdk/client-sns";
import { ok, fail, missingOutput, type CheckResult, type VerifyContext } from "./context";

/** Alarms: every alarm exists and notifies the alarm topic, and each topic has confirmed subscribers. */

/**
 * Whether every named alarm exists and notifies the topic: the inference alarms, and, in the telemetry
 * account (its own CloudWatch client and, in prod, its own topic), the telemetry alarms.
 */
async function alarmsNotify(check: string, cw: CloudWatchClient, names: readonly string[], topicArn: string): Promise<CheckResult> {
  const found = new Map<string, string[]>();
  for (let i = 0; i < names.length; i += 100) {
    const r = await cw.send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100) }));
    for (const a of r.MetricAlarms ?? []) found.set(a.AlarmName!, a.AlarmActions ?? []);
  }
  const missing = names.filter((n) => !found.has(n));
  const unwired = names.filter((n) => found.has(n) && !found.get(n)!.includes(topicArn));
  if (missing.length === 0 && unwired.length === 0) return ok(check, `${names.length} alarm(s) notify ${topicArn}`);
  return fail(
    check,
    [missing.length ? `missing: ${missing.join(", ")}` : "", unwired.length ? `not notifying ${topicArn}: ${unwired.join(", ")}` : ""]
      .filter(Boolean)
      .join("; "),
    "run `pulumi up` to recreate the alarms and their actions",
  );
}

/** Every alarm the stack exports exists and notifies the alarm topic. */
export async function alarmChecks(ctx: VerifyContext): Promise<CheckResult[]> {
  const { s, c } = ctx;
  const check = "alarms";
  if (!s.alarmTopicArn) return [missingOutput(check, "alarmTopicArn")];
  if (s.alarmNames.length === 0) return [missingOutput(check, "alarmNames")];
  return [await alarmsNotify(check, c.cw, s.alarmNames, s.alarmTopicArn)];
}

/** The telemetry alarms live in the telemetry account; in prod they notify that account's own topic. */
export async function telemetryAlarmChecks(ctx: VerifyContext): Promise<CheckResult[]> {
  const { s, c } = ctx;
  const check = "telemetry-alarms";
  const topic = s.telemetryAlarmTopicArn ?? s.alarmTopicArn;
  if (!topic) return [missingOutput(check, "alarmTopicArn")];
  if (s.telemetryAlarmNames.length === 0) return [missingOutput(check, "telemetryAlarmNames")];
  return [await alarmsNotify(check, c.telemetryCw, s.telemetryAlarmNames, topic)];
}

/** The topic has subscribers, all confirmed. */
export async function subscriptionChecks(ctx: VerifyContext, topic: string, sns: SNSClient = ctx.c.sns): Promise<CheckResult[]> {
  const check = `subscriptions ${topic.split(":").pop()}`;
  const subs = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions ?? [];
  const pending = subs.filter((x) => !x.SubscriptionArn?.startsWith("arn:"));
  if (subs.length === 0)
    return [
      fail(
        check,
        `${topic} has no subscriptions: nobody is told when an alarm fires`,
        "list recipients under inference.alarms.emails / quotas.alertEmails and run `pulumi up`",
      ),
    ];
  return [
    pending.length === 0
      ? ok(check, `${subs.length} confirmed subscription(s)`)
      : fail(
          check,
          `unconfirmed: ${pending.map((x) => x.Endpoint).join(", ")}`,
          'each recipient must click the link in the "AWS Notification - Subscription Confirmation" email (it expires after 3 days; `pulumi up --replace` the subscription to resend)',
        ),
  ];
}
