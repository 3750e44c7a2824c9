import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { configFromEnv, publishQuotas } from "./publish.js";

const serviceQuotas = new ServiceQuotasClient({});
const cloudwatch = new CloudWatchClient({});

/**
 * Scheduled entry point (EventBridge). An unresolved quota fails the run after the others are published:
 * its alarm would otherwise sit silently in INSUFFICIENT_DATA, and the function's error metric is what tells.
 */
export async function handler(): Promise<{ published: number }> {
  const result = await publishQuotas({ serviceQuotas, cloudwatch, now: () => new Date() }, configFromEnv(process.env));
  console.log(
    JSON.stringify({
      msg: "service quotas published",
      published: result.published.map((q) => ({
        modelId: q.target.modelId,
        kind: q.target.kind,
        code: q.quotaCode,
        value: q.value,
        source: q.source,
      })),
    }),
  );
  if (result.unresolved.length) {
    const names = result.unresolved.map((t) => `${t.modelId} ${t.kind}`).join(", ");
    throw new Error(
      `no Bedrock quota found for ${names}: set stage.inference.serviceQuotaAlarms.quotaCodes (Service Quotas console → Amazon Bedrock)`,
    );
  }
  return { published: result.published.length };
}
