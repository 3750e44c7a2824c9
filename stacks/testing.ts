import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { at, installMocks, obj, type ResourceRecorder, settle, str } from "@ccb/infra/inventory";
import { StageConfigError } from "./config/problems";
import { parseStageConfig } from "./config/stage-config";
import { deployStage } from "./stage";

/**
 * Runs a stage's program on the Pulumi mock engine with the stack's own config file: used by the
 * stack tests and by the offline plan. No AWS credentials, no Pulumi CLI.
 */

export const repoRoot = path.resolve(__dirname, "..");

export type StageName = "pilot" | "prod";

/** The stage value of a stack file as parsed YAML: JSON-like, read through `at`/`str`/`obj` and edited with `put`/`edit`. */
export type RawStage = Record<string, unknown>;

const isRecord = (v: unknown): v is RawStage => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The `claude-code-bedrock:stage` value (undefined when the file or the key is missing: the stage
 * config then reports it with the fix) and `aws:region` from `Pulumi.<stage>.yaml`, read from the
 * repository root or from `CCB_STACK_DIR` (to plan a stack file kept elsewhere).
 */
export function readStackConfig(stage: string): { stage: unknown; region: string } {
  const file = path.join(process.env.CCB_STACK_DIR || repoRoot, `Pulumi.${stage}.yaml`);
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  const config = obj(at(doc, "config"));
  const stageConfig = config["claude-code-bedrock:stage"];
  const region = str(config["aws:region"]) ?? str(at(stageConfig, "region"));
  return { stage: stageConfig, region: region ?? "us-east-1" };
}

/** A fresh copy of a stack file's stage value, for tests to read and edit (fails when it is not an object). */
export function rawStage(stage: string): RawStage {
  const raw = readStackConfig(stage).stage;
  if (!isRecord(raw)) throw new Error(`Pulumi.${stage}.yaml has no claude-code-bedrock:stage object`);
  return structuredClone(raw);
}

type Path = string | readonly (string | number)[];
const keysOf = (p: Path): readonly (string | number)[] => (typeof p === "string" ? p.split(".") : p);

/**
 * Sets (or, with `undefined`, deletes) the value at a path of the raw stage, e.g.
 * `put(raw, "quotas.enforcement.serverSideBlock", false)`. Missing objects on the way are created, so
 * a test can add a section the file leaves out (a delete of a missing value changes nothing); a path
 * through a non-object fails loudly.
 */
export function put(raw: object, where: Path, value: unknown): void {
  const keys = keysOf(where);
  let node: object = raw;
  for (const key of keys.slice(0, -1)) {
    let next: unknown = Reflect.get(node, key);
    if (next === undefined) {
      if (value === undefined) return; // nothing to delete
      next = {};
      Reflect.set(node, key, next);
    }
    if (typeof next !== "object" || next === null) throw new Error(`the stage has no object at ${keys.join(".")} (stops at ${key})`);
    node = next;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) Reflect.deleteProperty(node, last);
  else Reflect.set(node, last, value);
}

/**
 * Replaces the value at a path with a function of it, e.g.
 * `edit(raw, ["inference", "invocationLogging"], (v) => ({ ...v, text: true }))`. The function sees the
 * current object (an empty one when the value is missing or not an object).
 */
export function edit(raw: object, where: Path, change: (current: RawStage) => unknown): void {
  const keys = keysOf(where);
  const current = keys.reduce<unknown>((cur, key) => (typeof cur === "object" && cur !== null ? Reflect.get(cur, key) : undefined), raw);
  put(raw, keys, change(isRecord(current) ? current : {}));
}

/** Stack outputs with every Output resolved: JSON-like values, read through the inventory accessors. */
/** The problems parseStageConfig reports for a stack file's stage after `change` (empty when it accepts it). */
export function configProblemsOf(stage: string, change: (raw: RawStage) => void): string[] {
  const raw = rawStage(stage);
  change(raw);
  try {
    parseStageConfig(stage, raw);
    return [];
  } catch (e) {
    // Anything but a configuration error (a crash) fails the calling test.
    if (!(e instanceof StageConfigError)) throw e;
    return [...e.problems];
  }
}

export type ResolvedOutputs = Readonly<Record<string, unknown>>;

export interface StageRun {
  readonly recorder: ResourceRecorder;
  /** Stack outputs with every Output resolved. */
  readonly outputs: ResolvedOutputs;
}

/** Resolves Outputs nested anywhere in a value. */
export async function resolveDeep(value: unknown): Promise<unknown> {
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
 * Runs a stage. `change` may edit the parsed YAML first (to test validation or variants), through
 * `put`/`edit`. The stage module declares resources only when `deployStage` runs, so importing it
 * before the mocks is safe.
 */
export async function runStage(stage: string, change?: (raw: RawStage) => void): Promise<StageRun> {
  const { stage: raw, region } = readStackConfig(stage);
  const copy = structuredClone(raw);
  if (change) {
    if (!isRecord(copy)) throw new Error(`Pulumi.${stage}.yaml has no claude-code-bedrock:stage object to edit`);
    change(copy);
  }
  // Validated before the mock engine starts: an invalid stage declares nothing.
  const config = parseStageConfig(stage, copy);
  const recorder = await installMocks({ accountId: config.accounts.inference.id, region, stack: stage, project: "claude-code-bedrock" });
  pulumi.runtime.setAllConfig({ "claude-code-bedrock:stage": JSON.stringify(copy), "aws:region": region });
  const outputs = deployStage(config);
  const resolved = obj(await resolveDeep(outputs));
  await settle();
  return { recorder, outputs: resolved };
}
