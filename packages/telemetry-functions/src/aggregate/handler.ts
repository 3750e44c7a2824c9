import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { aggregate, configFromEnv } from "./aggregate.js";

const logs = new CloudWatchLogsClient({});
const cloudwatch = new CloudWatchClient({});

/** Scheduled entry point (EventBridge). `{ "all": true }` computes every window regardless of the hour. */
export async function handler(event: { all?: boolean } = {}): Promise<{ windows: readonly string[]; metrics: number }> {
  const cfg = configFromEnv(process.env);
  const result = await aggregate({ logs, cloudwatch, now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }, cfg, {
    all: event.all === true,
  });
  // Counts only: no user names or emails in the function's logs.
  console.log(
    JSON.stringify({ msg: "aggregated", windows: result.windows, metrics: result.metrics, unpricedModels: result.unpricedModels.length }),
  );
  if (result.unpricedModels.length)
    console.warn(
      JSON.stringify({
        msg: "models without a price: cost and savings exclude them; add them to the stage's prices",
        models: result.unpricedModels,
      }),
    );
  return { windows: result.windows, metrics: result.metrics };
}
