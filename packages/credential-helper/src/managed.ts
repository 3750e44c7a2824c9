/**
 * `setup --managed`: the organisation-enforced part of a stage's Claude Code settings, as a managed
 * settings drop-in `managed-settings.d/50-claude-bedrock-<stage>.json` in the platform's managed
 * directory (Linux `/etc/claude-code`, macOS `/Library/Application Support/ClaudeCode`, Windows
 * `C:\Program Files\ClaudeCode`). Claude Code merges drop-ins after `managed-settings.json` in
 * alphabetical order, and managed settings beat every user and project file; an OTLP endpoint/protocol
 * set there also locks the telemetry destination (developers cannot redirect it).
 *
 * The keys and values come from `claudeKeys` (setup.ts), the one place that decides what setup writes;
 * this module only picks the org-wide ones. Per-user keys (AWS_PROFILE, awsAuthRefresh, the Identity
 * Center metadata switch) stay in `~/.claude/settings.json`, written by the developer's own `setup`.
 */
import * as path from "node:path";
import type { StageSettings } from "@ccb/contracts";
import type { Check } from "./check.js";
import type { Deps } from "./io.js";
import { HelperError } from "./errors.js";
import { claudeKeys } from "./setup.js";
import { readText } from "./store.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type ManagedDeps = Pick<Deps, "fs" | "platform" | "pid" | "now" | "selfCommand">;

const pathFor = (d: Pick<Deps, "platform">) => (d.platform === "win32" ? path.win32 : path.posix);

/** Where Claude Code reads `managed-settings.json` (and `managed-settings.d/`) on this platform. */
export function defaultManagedDir(d: Pick<Deps, "platform">): string {
  if (d.platform === "darwin") return "/Library/Application Support/ClaudeCode";
  if (d.platform === "win32") return "C:\\Program Files\\ClaudeCode";
  return "/etc/claude-code";
}

/** The stage's drop-in inside a managed directory. */
export function managedDropIn(d: Pick<Deps, "platform">, dir: string, stage: string): string {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(stage)) throw new HelperError("ERR_CLI_USAGE", `"${stage}" is not a stage name`);
  return pathFor(d).join(dir, "managed-settings.d", `50-claude-bedrock-${stage}.json`);
}

const MODEL_PINS = new Set(["ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL"]);

/**
 * Whether a key setup writes is the organisation's to enforce: Bedrock on, the Region, the whole
 * telemetry unit (exporters, endpoint, protocol, `otelHeadersHelper`) and — only when the stage has no
 * teams — the model pins. With teams, each developer's setup pins their team's inference profiles; a
 * managed pin would override them for everyone.
 */
export function orgEnforced(keyPath: readonly string[], s: StageSettings): boolean {
  if (keyPath.length === 1) return keyPath[0] === "otelHeadersHelper";
  if (keyPath[0] !== "env") return false;
  const k = keyPath[1]!;
  if (k === "CLAUDE_CODE_USE_BEDROCK" || k === "AWS_REGION" || k === "CLAUDE_CODE_ENABLE_TELEMETRY" || k.startsWith("OTEL_")) return true;
  return MODEL_PINS.has(k) && s.teams.length === 0;
}

/** The drop-in's content: the org-enforced subset of what `setup` writes for the stage. */
export function managedSettings(d: Pick<Deps, "selfCommand" | "platform">, s: StageSettings): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [keyPath, value] of claudeKeys(d, s, undefined)) {
    if (!orgEnforced(keyPath, s)) continue;
    if (keyPath.length === 1) out[keyPath[0]!] = value;
    else ((out[keyPath[0]!] ??= {}) as Record<string, Json>)[keyPath[1]!] = value;
  }
  return out;
}

export function renderManaged(d: Pick<Deps, "selfCommand" | "platform">, s: StageSettings): string {
  return `${JSON.stringify(managedSettings(d, s), null, 2)}\n`;
}

function managedUnwritable(target: string, e: unknown): HelperError {
  const code = (e as NodeJS.ErrnoException)?.code ?? "unknown";
  return new HelperError("ERR_MANAGED_UNWRITABLE", `cannot write the managed settings ${target} (${code})`, { cause: e });
}

async function exists(d: Pick<Deps, "fs">, p: string): Promise<boolean> {
  return d.fs.stat(p).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return false;
      throw managedUnwritable(p, e);
    },
  );
}

/** Creates `dir` with mode 0755 (whatever the umask: every user's Claude Code must read it) when missing. */
async function ensurePublicDir(d: ManagedDeps, dir: string): Promise<void> {
  if (await exists(d, dir)) return;
  try {
    await d.fs.mkdir(dir, { recursive: true, mode: 0o755 });
    if (d.platform !== "win32") await d.fs.chmod(dir, 0o755);
  } catch (e) {
    throw managedUnwritable(dir, e);
  }
}

export interface ManagedResult {
  readonly file: string;
  readonly changed: boolean;
}

/** Writes the stage's drop-in (atomically, mode 0644). Touches no other file. Idempotent. */
export async function writeManaged(d: ManagedDeps, s: StageSettings, dir: string): Promise<ManagedResult> {
  const file = managedDropIn(d, dir, s.stage);
  const text = renderManaged(d, s);
  const current = await readText(d, file).catch((e) => {
    throw managedUnwritable(file, e);
  });
  const mode = await d.fs.stat(file).then(
    (st) => st.mode & 0o777,
    () => undefined,
  );
  if (current === text && (d.platform === "win32" || mode === 0o644)) return { file, changed: false };
  const dropDir = pathFor(d).dirname(file);
  await ensurePublicDir(d, dir);
  await ensurePublicDir(d, dropDir);
  // Hidden and not `.json`: Claude Code ignores it even if a crash leaves it behind.
  const tmp = pathFor(d).join(dropDir, `.${pathFor(d).basename(file)}.${d.pid}.${d.now()}.tmp`);
  try {
    await d.fs.writeFile(tmp, text, { mode: 0o644, flag: "wx", encoding: "utf8" });
    if (d.platform !== "win32") await d.fs.chmod(tmp, 0o644);
    await d.fs.rename(tmp, file);
  } catch (e) {
    await d.fs.unlink(tmp).catch(() => undefined);
    throw managedUnwritable(file, e);
  }
  return { file, changed: true };
}

/** Removes exactly the stage's drop-in; nothing else (not the directory, not other drop-ins). */
export async function removeManaged(d: Pick<Deps, "fs" | "platform">, stage: string, dir: string): Promise<ManagedResult> {
  const file = managedDropIn(d, dir, stage);
  try {
    await d.fs.unlink(file);
    return { file, changed: true };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === "ENOENT" || code === "ENOTDIR") return { file, changed: false };
    throw managedUnwritable(file, e);
  }
}

function flatten(v: Json | undefined, prefix: string, out: Map<string, string>): Map<string, string> {
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(v));
  return out;
}

/**
 * For `doctor`: is there a drop-in for the stage, and is it what `setup --managed` would write now?
 * Never a failure: a developer cannot change managed files, so a stale one is a warning with IT's fix.
 */
export async function managedCheck(d: Pick<Deps, "fs" | "platform" | "selfCommand">, s: StageSettings, dir: string): Promise<Check> {
  const name = "managed settings";
  const file = managedDropIn(d, dir, s.stage);
  const fix = `an administrator runs \`sudo claude-bedrock setup --managed --stage ${s.stage}\` (or ships \`setup --managed --print\` with the MDM)`;
  let text: string | undefined;
  try {
    text = await readText(d, file);
  } catch (e) {
    return { name, ok: "warn", detail: `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? "error"})`, fix };
  }
  if (text === undefined) return { name, ok: true, detail: `none for stage ${s.stage} (${file}); your user settings apply` };
  let actual: Json;
  try {
    actual = JSON.parse(text) as Json;
  } catch {
    return { name, ok: "warn", detail: `${file} is not valid JSON`, fix };
  }
  const want = flatten(managedSettings(d, s), "", new Map());
  const have = flatten(actual, "", new Map());
  const differ = [...new Set([...want.keys(), ...have.keys()])].filter((k) => want.get(k) !== have.get(k)).sort();
  if (differ.length === 0)
    return {
      name,
      ok: true,
      detail: `${file} enforces Bedrock, Region${s.telemetry ? ", telemetry" : ""}${s.teams.length === 0 ? " and models" : ""} for stage ${s.stage}`,
    };
  return { name, ok: "warn", detail: `${file} differs from what this helper would write: ${differ.join(", ")}`, fix };
}
