/**
 * Claude Code's settings.json as setup and undo edit it: parsed with the checks setup needs before it
 * touches anything, keys read and written by path, and rendered back in the file's own indentation.
 */
import { HelperError } from "./errors.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

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

function indentOf(text: string | undefined): string | number {
  const m = text ? /^\{\r?\n([ \t]+)"/.exec(text) : null;
  return m ? m[1]! : 2;
}

/** The settings as the file's text, indented as `like` was (2 spaces for a new file). */
export const settingsJsonText = (value: Record<string, Json>, like: string | undefined) =>
  `${JSON.stringify(value, null, indentOf(like))}\n`;
