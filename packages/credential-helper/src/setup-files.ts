/**
 * What setup and undo share: the manifest that records what setup replaced, and the backups taken
 * before a user's file changes. The settings.json editing itself is in settings-json.ts.
 */
import type { Deps } from "./io.js";
import { backupsDir, join } from "./paths.js";
import type { Json } from "./settings-json.js";
import { readText, removeFile, writePrivateJson } from "./store.js";
import { ensureDirFor, writeUserFile } from "./user-files.js";

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

/**
 * Puts `next` where `before` was in one of the user's files (null: the file goes), after a backup of
 * `before` so that the user's own text can always be recovered; records the file as changed.
 */
export async function replaceUserFile(
  d: Deps,
  stage: string,
  file: string,
  before: string | undefined,
  next: string | null,
  result: SetupResult,
): Promise<void> {
  if (before !== undefined) await backup(d, stage, file, before);
  else await ensureDirFor(d, file);
  if (next === null) await removeFile(d, file);
  else await writeUserFile(d, file, next);
  result.changed.push(file);
}
