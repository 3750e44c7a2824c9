import { BedrockClient } from "@aws-sdk/client-bedrock";
import { SNSClient } from "@aws-sdk/client-sns";
import { checkModels, configFromEnv } from "./check.js";

const bedrock = new BedrockClient({});
const sns = new SNSClient({});

/** Daily entry point (EventBridge). */
export async function handler(): Promise<{ findings: number; published: boolean }> {
  const result = await checkModels({ bedrock, sns, now: () => new Date() }, configFromEnv(process.env));
  console.log(JSON.stringify({ msg: "model lifecycle checked", ...result }));
  return result;
}
