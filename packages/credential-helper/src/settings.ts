/**
 * Finds and validates the stage settings. Sources, first match wins:
 *   1. `--settings <file>`
 *   2. `CLAUDE_BEDROCK_SETTINGS=<file>`
 *   3. `~/.claude-bedrock/stages/<stage>.json` saved by `setup`, chosen by `--stage` / `CLAUDE_BEDROCK_STAGE`,
 *      or the only file there when exactly one stage is set up
 *   4. settings bundled with the distribution: a `define`d constant `__CCB_EMBEDDED_SETTINGS__` (JSON text),
 *      else `stage-settings.json` next to the bundle or executable
 */
// Named imports, not `* as`: the bundle turns a namespace import into a copy of every export, which
// costs the warm path measurable time (see docs/helper-internals.md, "Performance").
import { dirname, join } from "node:path";
import { type IdentityProviderSettings, parseStageSettings, StageSettingsError, type StageSettings } from "@ccb/contracts";
import type { Deps } from "./io.js";
import { HelperError } from "./errors.js";
import { stageSettingsFile, stagesDir } from "./paths.js";
import { readPrivateText } from "./store.js";

declare const __CCB_EMBEDDED_SETTINGS__: string | undefined;

export interface SettingsSelector {
  readonly settingsFile?: string;
  readonly stage?: string;
}

export interface LoadedSettings {
  readonly settings: StageSettings;
  /** Where they came from, for `status` and messages. */
  readonly source: string;
}

type SettingsDeps = Pick<Deps, "fs" | "env" | "platform" | "homedir" | "uid" | "selfCommand" | "selfScript">;

/** Loopback http issuers/endpoints are for tests and local development only, and only when asked for. */
export function allowInsecureLoopback(d: Pick<Deps, "env">): boolean {
  return d.env.CLAUDE_BEDROCK_ALLOW_INSECURE_LOOPBACK === "1";
}

export function parseSettingsText(d: Pick<Deps, "env">, text: string, source: string): StageSettings {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HelperError("ERR_SETTINGS_INVALID", `stage settings in ${source} are not valid JSON (${(e as Error).message})`, { cause: e });
  }
  try {
    return parseStageSettings(json, { allowLoopbackHttp: allowInsecureLoopback(d), source });
  } catch (e) {
    if (e instanceof StageSettingsError) {
      const detail = e.problems.map((p) => `${p.path} ${p.message}`).join("; ");
      throw new HelperError("ERR_SETTINGS_INVALID", `stage settings in ${source} are invalid: ${detail}`, { cause: e });
    }
    throw e;
  }
}

async function fromFile(d: SettingsDeps, file: string): Promise<LoadedSettings | undefined> {
  let text: string | undefined;
  try {
    text = await readPrivateText(d, file);
  } catch (e) {
    if (e instanceof HelperError) throw e;
    throw new HelperError("ERR_SETTINGS_MISSING", `cannot read stage settings ${file} (${(e as NodeJS.ErrnoException).code})`, {
      cause: e,
    });
  }
  if (text === undefined) return undefined;
  return { settings: parseSettingsText(d, text, file), source: file };
}

/** Settings shipped inside the distribution (see module doc), or undefined. */
export async function bundledSettings(d: SettingsDeps): Promise<LoadedSettings | undefined> {
  if (typeof __CCB_EMBEDDED_SETTINGS__ === "string" && __CCB_EMBEDDED_SETTINGS__.length > 0) {
    return { settings: parseSettingsText(d, __CCB_EMBEDDED_SETTINGS__, "the bundled settings"), source: "bundled" };
  }
  const self = d.selfScript ?? d.selfCommand[d.selfCommand.length - 1];
  if (self === undefined) return undefined;
  return fromFile(d, join(dirname(self), "stage-settings.json"));
}

export async function loadSettings(d: SettingsDeps, sel: SettingsSelector): Promise<LoadedSettings> {
  const explicit = sel.settingsFile ?? (d.env.CLAUDE_BEDROCK_SETTINGS || undefined);
  if (explicit !== undefined) {
    const loaded = await fromFile(d, explicit);
    if (!loaded) throw new HelperError("ERR_SETTINGS_MISSING", `stage settings file ${explicit} does not exist`);
    return loaded;
  }
  const stage = sel.stage ?? (d.env.CLAUDE_BEDROCK_STAGE || undefined);
  if (stage !== undefined) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(stage)) throw new HelperError("ERR_CLI_USAGE", `"${stage}" is not a stage name`);
    const loaded = await fromFile(d, stageSettingsFile(d, stage));
    if (loaded) return loaded;
    const bundled = await bundledSettings(d);
    if (bundled && bundled.settings.stage === stage) return bundled;
    throw new HelperError("ERR_SETTINGS_MISSING", `stage "${stage}" is not set up on this machine`);
  }
  const saved = await d.fs.readdir(stagesDir(d)).catch(() => [] as string[]);
  const stages = saved.filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
  if (stages.length === 1) {
    const loaded = await fromFile(d, stageSettingsFile(d, stages[0]!));
    if (loaded) return loaded;
  }
  if (stages.length > 1) {
    throw new HelperError("ERR_CLI_USAGE", `several stages are set up (${stages.sort().join(", ")}); pass --stage <name>`);
  }
  const bundled = await bundledSettings(d);
  if (bundled) return bundled;
  throw new HelperError("ERR_SETTINGS_MISSING", "no stage settings found");
}

/**
 * The stage's corporate OIDC IdP, for the sign-in paths. An IAM Identity Center stage may have none
 * (developers sign in with `aws sso login`); those paths refuse IdC stages before they get here.
 */
export function identityProviderOf(s: StageSettings): IdentityProviderSettings {
  if (s.identityProvider) return s.identityProvider;
  throw new HelperError(
    "ERR_FEDERATION_IDENTITY_CENTER",
    `stage ${s.stage} has no OIDC identity provider: it signs in through IAM Identity Center (profile ${s.awsProfile})`,
  );
}
