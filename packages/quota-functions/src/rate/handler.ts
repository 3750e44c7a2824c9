/**
 * The rate function's entry point: a CloudWatch Logs subscription on the invocation-log group delivers
 * batches (`awslogs.data`, gzipped JSON whose `logEvents[].message` is one invocation-log record); a
 * one-minute schedule delivers a sweep (no events) so cool-downs lift even when nobody calls Bedrock.
 */
import { gunzipSync } from "node:zlib";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IAMClient } from "@aws-sdk/client-iam";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { parseRateEnv, SESSION_NAME_KEY, type BlockKey } from "@ccb/contracts";
import { applyBlockPolicies, packBlockPolicies } from "../block-policy.js";
import { createLogger } from "../log.js";
import type { InvocationRecord } from "../sources/invocation-logs.js";
import { QuotaStore } from "../store.js";
import { runRateBatch, type RateDeps, type RateResult } from "./run.js";

export interface LogsSubscriptionEvent {
  readonly awslogs?: { readonly data: string };
}

/** The invocation-log records of a subscription batch; lines that are not JSON are skipped. */
export function recordsOf(event: LogsSubscriptionEvent): InvocationRecord[] {
  if (!event.awslogs?.data) return [];
  const payload = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8")) as {
    messageType?: string;
    logEvents?: Array<{ message: string }>;
  };
  // CONTROL_MESSAGE is CloudWatch Logs checking that the destination is reachable.
  if (payload.messageType !== "DATA_MESSAGE") return [];
  const out: InvocationRecord[] = [];
  for (const e of payload.logEvents ?? []) {
    try {
      out.push(JSON.parse(e.message) as InvocationRecord);
    } catch {
      // Not a record (Bedrock writes only JSON records to this group); nothing to count.
    }
  }
  return out;
}

let cached: RateDeps | undefined;

function realDeps(): RateDeps {
  const c = parseRateEnv(process.env);
  const log = createLogger("quota-rate");
  const store = new QuotaStore(new DynamoDBClient({}), c.limitsTable, c.usageTable);
  const sns = new SNSClient({});
  const iam = new IAMClient({});
  const key: BlockKey = c.blockPrincipalTag ? { kind: "principal-tag", tag: c.blockPrincipalTag } : SESSION_NAME_KEY;
  return {
    doc: store.doc,
    usageTable: c.usageTable,
    defaults: c.defaults,
    roleName: c.roleName,
    mode: c.mode,
    limitsOf: (email) => store.limitsFor(email, []),
    groupsOf: async (email) => (await store.groupsOf([email])).get(email) ?? [],
    notify: async (subject, message) =>
      void (await sns.send(new PublishCommand({ TopicArn: c.alertTopicArn, Subject: subject.slice(0, 100), Message: message }))),
    applyDenies: async (emails) => {
      if (!c.blockPolicyArns.length) return;
      const { documents, overflow } = packBlockPolicies(emails, c.blockPolicyArns.length, undefined, key);
      if (overflow.length) log.warn("more users cooling down than the rate deny policies hold", { overflow: overflow.length });
      await applyBlockPolicies(iam, c.blockPolicyArns, documents, log);
    },
    now: Date.now,
    log,
  };
}

export async function handler(event: LogsSubscriptionEvent): Promise<RateResult> {
  cached ??= realDeps();
  return runRateBatch(cached, recordsOf(event));
}
