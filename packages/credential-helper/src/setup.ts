/**
 * `setup` and `setup --undo`.
 *
 * setup: saves the stage settings, writes the profile to `~/.aws/config` and merges Claude Code's
 * `~/.claude/settings.json`. Running it again merges too: a key the user changed after setup wrote it
 * stays (with a note) unless `--force`; keys the user added to the profile stay. Before a file changes, a copy goes to `~/.claude-bedrock/backups/`; a
 * manifest per stage records, for each section and key, what was there before setup first touched it
 * and what setup wrote. Running setup again with the same inputs changes nothing.
 *
 * undo: puts back the previous value of every section and key *that still holds what setup wrote*;
 * anything the user changed since is left alone (and reported). When nothing else changed, the files
 * come back byte for byte.
 */
import { modelsForTeam, type StageSettings } from "@ccb/contracts";
import { StageCache } from "./cache.js";
import type { Deps } from "./deps.js";
import { HelperError } from "./errors.js";
import { profileHeader, quoteArg, removeSection, renderSection, sectionText, sectionValues, setSectionValues, upsertSection } from "./aws-config.js";
import { awsConfigFile, backupsDir, claudeSettingsFile, join, stageSettingsFile } from "./paths.js";
import { readText, removeFile, unwritable, writePrivateJson } from "./store.js";
import { ensureDirFor, writeUserFile } from "./user-files.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface SectionRecord {
  readonly header: string;
  /** Exact text before setup first wrote it; null when the section did not exist. */
  readonly previous: string | null;
  /** The section's text as setup left it (the user's own keys included). */
  written: string;
  /** The value setup last wrote for each of its keys (absent in older manifests: read from `written`). */
  keys?: Record<string, string>;
}

interface KeyRecord {
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

const manifestFile = (d: Deps, stage: string) => join(d, backupsDir(d), stage, "manifest.json");

/** The command line Claude Code and the AWS SDK run to reach this helper. */
export function helperCommand(d: Pick<Deps, "selfCommand" | "platform">, ...args: string[]): string {
  return [...d.selfCommand, ...args].map((a) => quoteArg(a, d.platform)).join(" ");
}

/** The `~/.aws/config` sections for a stage, header → full text. */
export function awsSections(d: Pick<Deps, "selfCommand" | "platform">, s: StageSettings): Array<[string, string]> {
  const header = profileHeader(s.awsProfile);
  const managed = `Managed by claude-bedrock (stage ${s.stage}); \`claude-bedrock setup --undo --stage ${s.stage}\` removes it.`;
  const fed = s.federation;
  if (fed.mode === "identity-center") {
    const session = `claude-bedrock-${s.stage}`;
    return [
      [header, renderSection(header, [["sso_session", session], ["sso_account_id", fed.accountId], ["sso_role_name", fed.roleName], ["region", s.region]], managed)],
      [`sso-session ${session}`, renderSection(`sso-session ${session}`, [["sso_start_url", fed.startUrl], ["sso_region", fed.ssoRegion], ["sso_registration_scopes", "sso:account:access"]], managed)],
    ];
  }
  return [[header, renderSection(header, [["credential_process", helperCommand(d, "credential-process", "--stage", s.stage)], ["region", s.region]], managed)]];
}

/** The keys setup sets in Claude Code's settings, as paths and values. */
export function claudeKeys(d: Pick<Deps, "selfCommand" | "platform">, s: StageSettings, team: string | undefined): Array<[string[], Json]> {
  const models = modelsForTeam(s, team);
  const env: Array<[string, string]> = [
    ["CLAUDE_CODE_USE_BEDROCK", "1"],
    ["AWS_PROFILE", s.awsProfile],
    ["AWS_REGION", s.region],
    ["ANTHROPIC_MODEL", models.primary],
    ["ANTHROPIC_DEFAULT_HAIKU_MODEL", models.fast],
  ];
  if (models.opus) env.push(["ANTHROPIC_DEFAULT_OPUS_MODEL", models.opus]);
  if (s.federation.mode === "identity-center") env.push(["AWS_EC2_METADATA_DISABLED", "true"]);
  if (s.telemetry) {
    env.push(
      ["CLAUDE_CODE_ENABLE_TELEMETRY", "1"],
      ["OTEL_METRICS_EXPORTER", "otlp"],
      // A collector without the events pipeline answers 404 on /v1/logs: do not send events there.
      ["OTEL_LOGS_EXPORTER", s.telemetry.events === false ? "none" : "otlp"],
      ["OTEL_EXPORTER_OTLP_PROTOCOL", s.telemetry.protocol],
      ["OTEL_EXPORTER_OTLP_ENDPOINT", s.telemetry.endpoint],
    );
  }
  const keys: Array<[string[], Json]> = env.map(([k, v]) => [["env", k], v]);
  if (s.telemetry) keys.push([["otelHeadersHelper"], helperCommand(d, "otel-headers", "--stage", s.stage)]);
  if (s.federation.mode === "identity-center") keys.push([["awsAuthRefresh"], `aws sso login --profile ${s.awsProfile}`]);
  return keys;
}

function getPath(obj: Record<string, Json>, path: readonly string[]): Json | undefined {
  let cur: Json | undefined = obj;
  for (const p of path) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, Json>)[p];
  }
  return cur;
}

function setPath(obj: Record<string, Json>, path: readonly string[], value: Json | undefined): void {
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

const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);

function parseSettingsJson(text: string | undefined, file: string): Record<string, Json> {
  if (text === undefined || text.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HelperError("ERR_SETUP_UNPARSABLE", `${file} is not valid JSON (${(e as Error).message}); setup leaves it untouched`, { cause: e });
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new HelperError("ERR_SETUP_UNPARSABLE", `${file} is not a JSON object; setup leaves it untouched`);
  if ((v as Record<string, unknown>).env !== undefined && (typeof (v as Record<string, unknown>).env !== "object" || Array.isArray((v as Record<string, unknown>).env))) {
    throw new HelperError("ERR_SETUP_UNPARSABLE", `${file} has an "env" that is not an object; setup leaves it untouched`);
  }
  return v as Record<string, Json>;
}

function indentOf(text: string | undefined): string | number {
  const m = text ? /^\{\r?\n([ \t]+)"/.exec(text) : null;
  return m ? m[1]! : 2;
}

async function backup(d: Deps, stage: string, file: string, text: string): Promise<string> {
  const base = file.replace(/[\\/:]+/g, "_").replace(/^_+/, "");
  const target = join(d, backupsDir(d), stage, `${new Date(d.now()).toISOString().replace(/[:.]/g, "-")}-${base}`);
  await writePrivateJson(d, `${target}.json`, { file, text });
  return `${target}.json`;
}

async function readManifest(d: Deps, stage: string): Promise<SetupManifest | undefined> {
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

export interface SetupOptions {
  readonly team?: string;
  readonly settingsText: string;
  /** Overwrite keys the user changed since setup last wrote them (default: leave them, with a note). */
  readonly force?: boolean;
  /**
   * Only the Claude Code model keys, and only those that still hold what setup wrote (the team switch
   * after a sign-in): no other key, no AWS config, no stage settings file.
   */
  readonly modelsOnly?: boolean;
}

const MODEL_KEYS = new Set(["ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL"]);
const isModelKey = (path: readonly string[]) => path.length === 2 && path[0] === "env" && MODEL_KEYS.has(path[1]!);

/**
 * Re-running setup merges rather than replaces: keys the user added are kept; a key setup writes is
 * updated only while it still holds what setup last wrote (or is missing); a key the user changed is
 * left alone with a note, unless `force`. A section that setup did not create and that is not marked as
 * its own is replaced whole the first time (noted; `--undo` restores it).
 */
export async function runSetup(d: Deps, s: StageSettings, options: SetupOptions): Promise<SetupResult> {
  const force = options.force === true && options.modelsOnly !== true;
  const result: SetupResult = { changed: [], unchanged: [], notes: [] };
  const awsFile = awsConfigFile(d);
  const claudeFile = claudeSettingsFile(d);
  // Read and validate everything before writing anything.
  const awsText = await readText(d, awsFile).catch((e) => {
    throw unwritable(awsFile, e);
  });
  const claudeText = await readText(d, claudeFile).catch((e) => {
    throw unwritable(claudeFile, e);
  });
  const claude = parseSettingsJson(claudeText, claudeFile);
  const prior = await readManifest(d, s.stage);
  const manifest: SetupManifest = prior ?? {
    version: 1,
    stage: s.stage,
    awsConfig: { file: awsFile, existed: awsText !== undefined, original: awsText ?? null, sections: [] },
    claudeSettings: { file: claudeFile, existed: claudeText !== undefined, original: claudeText ?? null, keys: [] },
  };

  // Stage settings, for credential-process and otel-headers to find by --stage.
  const settingsFile = stageSettingsFile(d, s.stage);
  if (!options.modelsOnly) {
    const savedSettings = await readText(d, settingsFile).catch(() => undefined);
    const canonical = `${JSON.stringify(JSON.parse(options.settingsText), null, 2)}\n`;
    if (savedSettings !== canonical) {
      await writePrivateJson(d, settingsFile, JSON.parse(options.settingsText));
      result.changed.push(settingsFile);
    } else result.unchanged.push(settingsFile);
  }

  // ~/.aws/config
  let nextAws = awsText ?? "";
  for (const [header, block] of options.modelsOnly ? [] : awsSections(d, s)) {
    const before = sectionText(nextAws, header);
    const wanted = sectionValues(block, header);
    let rec = manifest.awsConfig.sections.find((r) => r.header === header);
    if (before === undefined || (!rec && !before.includes("Managed by claude-bedrock"))) {
      // A new section, or (first run) someone else's section of that name: written whole.
      if (!rec) {
        if (before !== undefined) result.notes.push(`replaced your existing [${header}] in ${awsFile}; \`setup --undo\` restores it`);
        rec = { header, previous: before ?? null, written: block };
        manifest.awsConfig.sections.push(rec);
      }
      nextAws = upsertSection(nextAws, header, block);
      rec.written = block;
      rec.keys = wanted;
      continue;
    }
    if (!rec) {
      // Ours by its marker, but the manifest is gone: its keys count as what setup wrote.
      rec = { header, previous: null, written: before };
      manifest.awsConfig.sections.push(rec);
    }
    const last = rec.keys ?? sectionValues(rec.written, header);
    const current = sectionValues(before, header);
    const keys: Record<string, string> = { ...last };
    const updates: Array<[string, string | undefined]> = [];
    for (const [k, v] of Object.entries(wanted)) {
      const cur = current[k];
      if (cur !== v && cur !== undefined && cur !== last[k] && !force) {
        result.notes.push(`left ${k} in [${header}] of ${awsFile} alone: it was changed after setup (setup would write \`${v}\`); \`setup --force\` overwrites it`);
        continue;
      }
      if (cur !== v) updates.push([k, v]);
      keys[k] = v;
    }
    // Keys setup wrote before and no longer writes go, if they still hold setup's value.
    for (const k of Object.keys(last)) {
      if (k in wanted) continue;
      if (current[k] === last[k]) updates.push([k, undefined]);
      delete keys[k];
    }
    nextAws = setSectionValues(nextAws, header, updates);
    rec.written = sectionText(nextAws, header) ?? block;
    rec.keys = keys;
  }
  if (!options.modelsOnly) {
    if (nextAws !== (awsText ?? "")) {
      if (awsText !== undefined) await backup(d, s.stage, awsFile, awsText);
      await ensureDirFor(d, awsFile);
      await writeUserFile(d, awsFile, nextAws);
      result.changed.push(awsFile);
    } else result.unchanged.push(awsFile);
  }

  // ~/.claude/settings.json
  const cached = await new StageCache(d, s.stage).readIdToken();
  const team = options.team ?? cached?.identity.team;
  if (s.teams.length > 0) {
    if (team && s.teams.some((t) => t.name === team)) result.notes.push(`using the inference profiles of team ${team}`);
    else if (!team) result.notes.push("not signed in yet: using the stage's default models until your first sign-in picks your team's");
  }
  const nextClaude = structuredClone(claude);
  for (const [path, value] of claudeKeys(d, s, team)) {
    if (options.modelsOnly && !isModelKey(path)) continue;
    let rec = manifest.claudeSettings.keys.find((k) => same(k.path as Json, path as Json));
    const cur = getPath(claude, path);
    if (!rec) {
      if (options.modelsOnly) continue;
      rec = { path, ...(cur !== undefined ? { previous: cur } : {}), written: value };
      manifest.claudeSettings.keys.push(rec);
    } else if (!same(cur, value) && !same(cur, rec.written) && !force) {
      // The user changed (or, for the team switch, removed) it since setup wrote it: theirs wins.
      if (options.modelsOnly) d.log.debug("setup", "model key changed by the user; not switching it", { key: path.join(".") });
      else if (cur !== undefined) {
        result.notes.push(`left ${path.join(".")} in ${claudeFile} alone: it was changed after setup (setup would write ${JSON.stringify(value)}); \`setup --force\` overwrites it`);
        continue;
      }
      if (options.modelsOnly) continue;
    }
    rec.written = value;
    setPath(nextClaude, path, value);
  }
  if (!same(nextClaude, claude) || (claudeText === undefined && !options.modelsOnly)) {
    if (claudeText !== undefined) await backup(d, s.stage, claudeFile, claudeText);
    await ensureDirFor(d, claudeFile);
    await writeUserFile(d, claudeFile, `${JSON.stringify(nextClaude, null, indentOf(claudeText))}\n`);
    result.changed.push(claudeFile);
  } else result.unchanged.push(claudeFile);

  await writePrivateJson(d, manifestFile(d, s.stage), manifest);
  return result;
}

/**
 * After a sign-in: if setup has run for this stage and the stage has teams, apply the signed-in user's
 * team models (setup is idempotent, so nothing changes when they are already there). Best effort.
 */
export async function applyTeamModels(d: Deps, s: StageSettings): Promise<string | undefined> {
  if (s.teams.length === 0 || s.federation.mode === "identity-center") return undefined;
  try {
    if (!(await readManifest(d, s.stage))) return undefined;
    const team = (await new StageCache(d, s.stage).readIdToken())?.identity.team;
    if (!team || !s.teams.some((t) => t.name === team)) return undefined;
    const r = await runSetup(d, s, { team, settingsText: JSON.stringify(s), modelsOnly: true });
    return r.changed.includes(claudeSettingsFile(d)) ? `Claude Code now uses the inference profiles of team ${team}.` : undefined;
  } catch (e) {
    d.log.debug("setup", "could not apply team models", { error: (e as Error).message });
    return undefined;
  }
}

export async function runUndo(d: Deps, stage: string): Promise<SetupResult> {
  const result: SetupResult = { changed: [], unchanged: [], notes: [] };
  const m = await readManifest(d, stage);
  if (!m) throw new HelperError("ERR_SETUP_NOTHING_TO_UNDO", `setup has not been run for stage ${stage} on this machine`);

  const awsText = await readText(d, m.awsConfig.file);
  if (awsText !== undefined) {
    let next = awsText;
    for (const rec of [...m.awsConfig.sections].reverse()) {
      const now = sectionText(next, rec.header);
      if (now === undefined) continue;
      // Unchanged since setup: the same text, or the same keys and values (setup's own, none added).
      if (now !== rec.written && !same(sectionValues(now, rec.header), rec.keys ?? sectionValues(rec.written, rec.header))) {
        result.notes.push(`left [${rec.header}] in ${m.awsConfig.file} alone: it was changed after setup`);
        continue;
      }
      next = rec.previous === null ? removeSection(next, rec.header) : upsertSection(next, rec.header, rec.previous);
    }
    if (m.awsConfig.original !== null && next.replace(/\s+$/, "") === m.awsConfig.original.replace(/\s+$/, "")) next = m.awsConfig.original;
    if (next !== awsText) {
      await backup(d, stage, m.awsConfig.file, awsText);
      if (!m.awsConfig.existed && next.trim() === "") await removeFile(d, m.awsConfig.file);
      else await writeUserFile(d, m.awsConfig.file, next);
      result.changed.push(m.awsConfig.file);
    } else result.unchanged.push(m.awsConfig.file);
  }

  const claudeText = await readText(d, m.claudeSettings.file);
  if (claudeText !== undefined) {
    const claude = parseSettingsJson(claudeText, m.claudeSettings.file);
    const next = structuredClone(claude);
    for (const rec of m.claudeSettings.keys) {
      if (!same(getPath(next, rec.path), rec.written)) {
        if (getPath(next, rec.path) !== undefined) result.notes.push(`left ${rec.path.join(".")} in ${m.claudeSettings.file} alone: it was changed after setup`);
        continue;
      }
      setPath(next, rec.path, rec.previous);
    }
    const original = m.claudeSettings.original === null ? undefined : parseSettingsJson(m.claudeSettings.original, m.claudeSettings.file);
    const env = next.env;
    const envWasThere = original !== undefined && getPath(original, ["env"]) !== undefined;
    if (!envWasThere && typeof env === "object" && env !== null && !Array.isArray(env) && Object.keys(env).length === 0) delete next.env;
    if (!same(next, claude)) {
      await backup(d, stage, m.claudeSettings.file, claudeText);
      if (original !== undefined && same(next, original)) await writeUserFile(d, m.claudeSettings.file, m.claudeSettings.original!);
      else if (!m.claudeSettings.existed && Object.keys(next).length === 0) await removeFile(d, m.claudeSettings.file);
      else await writeUserFile(d, m.claudeSettings.file, `${JSON.stringify(next, null, indentOf(claudeText))}\n`);
      result.changed.push(m.claudeSettings.file);
    } else result.unchanged.push(m.claudeSettings.file);
  }

  await removeFile(d, stageSettingsFile(d, stage));
  await removeFile(d, manifestFile(d, stage));
  return result;
}
