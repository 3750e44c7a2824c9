import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { installMocks, type ResourceRecorder, settle } from "@ccb/infra/inventory";
import { parseStageConfig } from "./config/stage-config";
import { deployStage } from "./stage";

/**
 * Runs a stage's program on the Pulumi mock engine with the stack's own config file: used by the
 * stack tests and by the offline plan. No AWS credentials, no Pulumi CLI.
 */

export const repoRoot = path.resolve(__dirname, "..");

export type StageName = "pilot" | "prod";

/**
 * The `claude-code-bedrock:stage` value (undefined when the file or the key is missing: the stage
 * config then reports it with the fix) and `aws:region` from `Pulumi.<stage>.yaml`, read from the
 * repository root or from `CCB_STACK_DIR` (to plan a stack file kept elsewhere).
 */
export function readStackConfig(stage: string): { stage: any; region: string } {
  const file = path.join(process.env.CCB_STACK_DIR || repoRoot, `Pulumi.${stage}.yaml`);
  let doc: any;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  const config = doc?.config ?? {};
  const stageConfig = config["claude-code-bedrock:stage"];
  const region = config["aws:region"] ?? stageConfig?.region;
  return { stage: stageConfig, region: typeof region === "string" ? region : "us-east-1" };
}

export interface StageRun {
  readonly recorder: ResourceRecorder;
  /** Stack outputs with every Output resolved. */
  readonly outputs: Record<string, any>;
}

/** Resolves Outputs nested anywhere in a value. */
export async function resolveDeep(value: unknown): Promise<any> {
  if (pulumi.Output.isInstance(value)) {
    return resolveDeep(
      await new Promise((resolve) =>
        (value as pulumi.Output<unknown>).apply((v) => {
          resolve(v);
          return v;
        }),
      ),
    );
  }
  if (Array.isArray(value)) return Promise.all(value.map(resolveDeep));
  if (value && typeof value === "object" && !(value instanceof pulumi.Resource)) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveDeep(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

/**
 * Runs a stage. `edit` may change the parsed YAML first (to test validation or variants). The stage
 * module declares resources only when `deployStage` runs, so importing it before the mocks is safe.
 */
export async function runStage(stage: string, edit?: (raw: Record<string, any>) => void): Promise<StageRun> {
  const { stage: raw, region } = readStackConfig(stage);
  const copy = structuredClone(raw);
  edit?.(copy);
  // Validated before the mock engine starts: an invalid stage declares nothing.
  const config = parseStageConfig(stage, copy);
  const recorder = await installMocks({ accountId: config.accounts.inference.id, region, stack: stage, project: "claude-code-bedrock" });
  pulumi.runtime.setAllConfig({ "claude-code-bedrock:stage": JSON.stringify(copy), "aws:region": region });
  const outputs = deployStage(config);
  const resolved = await resolveDeep(outputs);
  await settle();
  return { recorder, outputs: resolved };
}
