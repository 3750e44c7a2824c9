/**
 * What setup and undo share: the manifest that records what setup replaced, the JSON paths it edits in
 * Claude Code's settings, and the backups it takes before a file changes.
 */
import type { Deps } from "./io.js";
import { HelperError } from "./errors.js";
import { backupsDir, join } from "./paths.js";
import { readText, writePrivateJson } from "./store.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface SectionRecord {
  readonly header: string;
  /** Exact text before setup first wrote it; null when the section did not exist. */
  readonly previous: string | null;
  /** The section's text as setup left it (the user's own keys included). */
  written: string;
  /** The value setup last wrote for each of its keys (absent in older manifests: read from `written`). */
  keys?: Record<string, string>;
}

export interface KeyRecord {
  /** e.g. ["env", "AWS_PROFILE"] or ["otelHeadersHelper"]. */
  readonly path: readonly string[];
  /** Absent (undefined) when the key did not exist. */
  readonly previous?: Json;
  written: Json;
}

export interface SetupManifest {
  readonly version: 1;
  readonly stage: string;
  readonly awsConfig: { readonly file: string; readonly existed: boolean; readonly original: string | null; sections: SectionRecord[] };
  readonly claudeSettings: { readonly file: string; readonly existed: boolean; readonly original: string | null; keys: KeyRecord[] };
}

export interface SetupResult {
  readonly changed: string[];
  readonly unchanged: string[];
  readonly notes: string[];
}

export const manifestFile = (d: Deps, stage: string) => join(d, backupsDir(d), stage, "manifest.json");

export function getPath(obj: Record<string, Json>, path: readonly string[]): Json | undefined {
  let cur: Json | undefined = obj;
  for (const p of path) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, Json>)[p];
  }
  return cur;
}

export function setPath(obj: Record<string, Json>, path: readonly string[], value: Json | undefined): void {
  let cur: Record<string, Json> = obj;
  for (const p of path.slice(0, -1)) {
    const next = cur[p];
    if (typeof next !== "object" || next === null || Array.isArray(next)) {
      if (value === undefined) return;
      cur[p] = {};
    }
    cur = cur[p] as Record<string, Json>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

export const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);

export function parseSettingsJson(text: string | undefined, file: string): Record<string, Json> {
  if (text === undefined || text.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HelperError("ERR_SETUP_UNPARSABLE", `${file} is not valid JSON (${(e as Error).message}); setup leaves it untouched`, {
      cause: e,
    });
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new HelperError("ERR_SETUP_UNPARSABLE", `${file} is not a JSON object; setup leaves it untouched`);
  if (
    (v as Record<string, unknown>).env !== undefined &&
    (typeof (v as Record<string, unknown>).env !== "object" || Array.isArray((v as Record<string, unknown>).env))
  ) {
    throw new HelperError("ERR_SETUP_UNPARSABLE", `${file} has an "env" that is not an object; setup leaves it untouched`);
  }
  return v as Record<string, Json>;
}

export function indentOf(text: string | undefined): string | number {
  const m = text ? /^\{\r?\n([ \t]+)"/.exec(text) : null;
  return m ? m[1]! : 2;
}

export async function backup(d: Deps, stage: string, file: string, text: string): Promise<string> {
  const base = file.replace(/[\\/:]+/g, "_").replace(/^_+/, "");
  const target = join(d, backupsDir(d), stage, `${new Date(d.now()).toISOString().replace(/[:.]/g, "-")}-${base}`);
  await writePrivateJson(d, `${target}.json`, { file, text });
  return `${target}.json`;
}

export async function readManifest(d: Deps, stage: string): Promise<SetupManifest | undefined> {
  const text = await readText(d, manifestFile(d, stage)).catch(() => undefined);
  if (!text) return undefined;
  try {
    const m = JSON.parse(text) as SetupManifest;
    return m.version === 1 ? m : undefined;
  } catch {
    d.log.warn(`ignoring corrupt setup manifest ${manifestFile(d, stage)}`);
    return undefined;
  }
}
