/**
 * `setup`: saves the stage settings, writes the profile to `~/.aws/config` and merges Claude Code's
 * `~/.claude/settings.json`. Running it again merges too: a key the user changed after setup wrote it
 * stays (with a note) unless `--force`; keys the user added to the profile stay. Before a file changes, a copy goes to `~/.claude-bedrock/backups/`; a
 * manifest per stage records, for each section and key, what was there before setup first touched it
 * and what setup wrote. Running setup again with the same inputs changes nothing. Undo is in undo.ts.
 */
import { modelsForTeam, type StageSettings } from "@ccb/contracts";
import { StageCache } from "./cache.js";
import type { Deps } from "./io.js";
import { profileHeader, quoteArg, renderSection, sectionText, sectionValues, setSectionValues, upsertSection } from "./aws-config.js";
import { awsConfigFile, claudeSettingsFile, stageSettingsFile } from "./paths.js";
import { assertAwsConfigParses, assertKnownTeam } from "./setup-checks.js";
import { getPath, parseSettingsJson, same, setPath, settingsJsonText, type Json } from "./settings-json.js";
import { manifestFile, readManifest, replaceUserFile, type SetupManifest, type SetupResult } from "./setup-files.js";
import { readText, unwritable, writePrivateJson } from "./store.js";

export type { SetupManifest, SetupResult } from "./setup-files.js";
export { assertKnownTeam } from "./setup-checks.js";

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
      [
        header,
        renderSection(
          header,
          [
            ["sso_session", session],
            ["sso_account_id", fed.accountId],
            ["sso_role_name", fed.roleName],
            ["region", s.region],
          ],
          managed,
        ),
      ],
      [
        `sso-session ${session}`,
        renderSection(
          `sso-session ${session}`,
          [
            ["sso_start_url", fed.startUrl],
            ["sso_region", fed.ssoRegion],
            ["sso_registration_scopes", "sso:account:access"],
          ],
          managed,
        ),
      ],
    ];
  }
  return [
    [
      header,
      renderSection(
        header,
        [
          ["credential_process", helperCommand(d, "credential-process", "--stage", s.stage)],
          ["region", s.region],
        ],
        managed,
      ),
    ],
  ];
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
  if (!options.modelsOnly) {
    assertKnownTeam(s, options.team);
    assertAwsConfigParses(awsFile, awsText);
  }
  const prior = await readManifest(d, s.stage);
  const manifest: SetupManifest = prior ?? {
    version: 1,
    stage: s.stage,
    awsConfig: { file: awsFile, existed: awsText !== undefined, original: awsText ?? null, sections: [] },
    claudeSettings: { file: claudeFile, existed: claudeText !== undefined, original: claudeText ?? null, keys: [] },
  };
  if (!options.modelsOnly) {
    await saveStageSettings(d, s, options.settingsText, result);
    await mergeAwsConfig(d, s, { file: awsFile, text: awsText, manifest, force }, result);
  }
  await mergeClaudeSettings(d, s, { file: claudeFile, text: claudeText, parsed: claude, manifest, force, ...options }, result);
  await writePrivateJson(d, manifestFile(d, s.stage), manifest);
  return result;
}

/** Stage settings, for credential-process and otel-headers to find by --stage. */
async function saveStageSettings(d: Deps, s: StageSettings, settingsText: string, result: SetupResult): Promise<void> {
  const settingsFile = stageSettingsFile(d, s.stage);
  const savedSettings = await readText(d, settingsFile).catch(() => undefined);
  const canonical = `${JSON.stringify(JSON.parse(settingsText), null, 2)}\n`;
  if (savedSettings !== canonical) {
    await writePrivateJson(d, settingsFile, JSON.parse(settingsText));
    result.changed.push(settingsFile);
  } else result.unchanged.push(settingsFile);
}

interface AwsMerge {
  readonly file: string;
  readonly text: string | undefined;
  readonly manifest: SetupManifest;
  readonly force: boolean;
}

/** `~/.aws/config`: each of the stage's sections written whole the first time, merged key by key after. */
async function mergeAwsConfig(d: Deps, s: StageSettings, m: AwsMerge, result: SetupResult): Promise<void> {
  let next = m.text ?? "";
  for (const [header, block] of awsSections(d, s)) next = mergeAwsSection(next, header, block, m, result);
  if (next === (m.text ?? "")) {
    result.unchanged.push(m.file);
    return;
  }
  await replaceUserFile(d, s.stage, m.file, m.text, next, result);
}

function mergeAwsSection(text: string, header: string, block: string, m: AwsMerge, result: SetupResult): string {
  const before = sectionText(text, header);
  const wanted = sectionValues(block, header);
  let rec = m.manifest.awsConfig.sections.find((r) => r.header === header);
  if (before === undefined || (!rec && !before.includes("Managed by claude-bedrock"))) {
    // A new section, or (first run) someone else's section of that name: written whole.
    if (!rec) {
      if (before !== undefined) result.notes.push(`replaced your existing [${header}] in ${m.file}; \`setup --undo\` restores it`);
      rec = { header, previous: before ?? null, written: block };
      m.manifest.awsConfig.sections.push(rec);
    }
    rec.written = block;
    rec.keys = wanted;
    return upsertSection(text, header, block);
  }
  if (!rec) {
    // Ours by its marker, but the manifest is gone: its keys count as what setup wrote.
    rec = { header, previous: null, written: before };
    m.manifest.awsConfig.sections.push(rec);
  }
  const last = rec.keys ?? sectionValues(rec.written, header);
  const current = sectionValues(before, header);
  const keys: Record<string, string> = { ...last };
  const updates: Array<[string, string | undefined]> = [];
  for (const [k, v] of Object.entries(wanted)) {
    const cur = current[k];
    if (cur !== v && cur !== undefined && cur !== last[k] && !m.force) {
      result.notes.push(
        `left ${k} in [${header}] of ${m.file} alone: it was changed after setup (setup would write \`${v}\`); \`setup --force\` overwrites it`,
      );
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
  const next = setSectionValues(text, header, updates);
  rec.written = sectionText(next, header) ?? block;
  rec.keys = keys;
  return next;
}

interface ClaudeMerge {
  readonly file: string;
  readonly text: string | undefined;
  readonly parsed: Record<string, Json>;
  readonly manifest: SetupManifest;
  readonly force: boolean;
  readonly team?: string;
  readonly modelsOnly?: boolean;
}

/** `~/.claude/settings.json`: setup's keys merged in (only the model keys for the team switch). */
async function mergeClaudeSettings(d: Deps, s: StageSettings, m: ClaudeMerge, result: SetupResult): Promise<void> {
  const cached = await new StageCache(d, s.stage).readIdToken();
  const team = m.team ?? cached?.identity.team;
  if (s.teams.length > 0) {
    if (team && s.teams.some((t) => t.name === team)) result.notes.push(`using the inference profiles of team ${team}`);
    else if (!team) result.notes.push("not signed in yet: using the stage's default models until your first sign-in picks your team's");
  }
  const claude = m.parsed;
  const nextClaude = structuredClone(claude);
  for (const [path, value] of claudeKeys(d, s, team)) {
    if (m.modelsOnly && !isModelKey(path)) continue;
    let rec = m.manifest.claudeSettings.keys.find((k) => same(k.path as Json, path as Json));
    const cur = getPath(claude, path);
    if (!rec) {
      if (m.modelsOnly) continue;
      rec = { path, ...(cur !== undefined ? { previous: cur } : {}), written: value };
      m.manifest.claudeSettings.keys.push(rec);
    } else if (!same(cur, value) && !same(cur, rec.written) && !m.force) {
      // The user changed (or, for the team switch, removed) it since setup wrote it: theirs wins.
      if (m.modelsOnly) d.log.debug("setup", "model key changed by the user; not switching it", { key: path.join(".") });
      else if (cur !== undefined) {
        result.notes.push(
          `left ${path.join(".")} in ${m.file} alone: it was changed after setup (setup would write ${JSON.stringify(value)}); \`setup --force\` overwrites it`,
        );
        continue;
      }
      if (m.modelsOnly) continue;
    }
    rec.written = value;
    setPath(nextClaude, path, value);
  }
  if (!same(nextClaude, claude) || (m.text === undefined && !m.modelsOnly))
    await replaceUserFile(d, s.stage, m.file, m.text, settingsJsonText(nextClaude, m.text), result);
  else result.unchanged.push(m.file);
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
