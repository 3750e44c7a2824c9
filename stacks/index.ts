/**
 * The Pulumi program (Pulumi.yaml `main: stacks/`). One program for every stage: the stack's
 * config file (`Pulumi.<stack>.yaml`) is the only difference between pilot and prod.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseStageConfig } from "./config/stage-config";
import { deployStage } from "./stage";

const stack = pulumi.getStack();
const config = parseStageConfig(stack, new pulumi.Config("claude-code-bedrock").getObject<unknown>("stage"));
const outputs = deployStage(config);

export const helperSettings = outputs.helperSettings;
export const userRoleArn = outputs.userRoleArn;
export const oidcProviderArn = outputs.oidcProviderArn;
export const alarmTopicArn = outputs.alarmTopicArn;
export const teamInferenceProfiles = outputs.teamInferenceProfiles;
export const crossAccountRoleArns = outputs.crossAccountRoleArns;
export const invocationLogGroup = outputs.invocationLogGroup;
/**
 * Outputs contributed by the optional areas (telemetryEndpoint, quotaLimitsTable, registryLoginCommand,
 * cicd, …) become top-level stack outputs too, so `pulumi stack output <name>` and the tools that read
 * `pulumi stack output --json` (quota admin CLI, helper build) find them by name.
 */
const FOUNDATION_OUTPUTS = new Set([
  "helperSettings",
  "userRoleArn",
  "oidcProviderArn",
  "alarmTopicArn",
  "teamInferenceProfiles",
  "crossAccountRoleArns",
  "invocationLogGroup",
]);
for (const [name, value] of Object.entries(outputs)) {
  if (!FOUNDATION_OUTPUTS.has(name)) (exports as Record<string, unknown>)[name] = value;
}
