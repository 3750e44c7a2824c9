/**
 * Where the helper reads and writes, per platform. Pure: derived from `Deps` only, so tests can ask for
 * Windows paths on Linux.
 */
// Named imports, not `* as`: the bundle turns a namespace import into a copy of every export, which
// costs the warm path measurable time (see docs/helper-internals.md, "Performance").
import { posix, win32 } from "node:path";
import type { Deps } from "./io.js";

type PathDeps = Pick<Deps, "env" | "platform" | "homedir">;

const pathFor = (d: PathDeps) => (d.platform === "win32" ? win32 : posix);

/**
 * The last `~/.claude-bedrock` worked out: every ownership check asks for it, and `path.join` normalises
 * character by character in the interpreter, which on a warm `credential-process` was a measurable share
 * of the run (and made V8 compile the loop). Same inputs, same answer.
 */
let lastHome: { readonly homedir: string; readonly win32: boolean; readonly home: string } | undefined;

/** The helper's private directory: `CLAUDE_BEDROCK_HOME`, else `~/.claude-bedrock`. */
export function helperHome(d: PathDeps): string {
  if (d.env.CLAUDE_BEDROCK_HOME) return d.env.CLAUDE_BEDROCK_HOME;
  const win32 = d.platform === "win32";
  if (lastHome?.homedir !== d.homedir || lastHome.win32 !== win32) {
    lastHome = { homedir: d.homedir, win32, home: pathFor(d).join(d.homedir, ".claude-bedrock") };
  }
  return lastHome.home;
}

export function cacheDir(d: PathDeps, stage: string): string {
  return pathFor(d).join(helperHome(d), "cache", stage);
}

/** Stage settings saved by `setup`, one file per stage. */
export function stageSettingsFile(d: PathDeps, stage: string): string {
  return pathFor(d).join(helperHome(d), "stages", `${stage}.json`);
}

export function stagesDir(d: PathDeps): string {
  return pathFor(d).join(helperHome(d), "stages");
}

export function backupsDir(d: PathDeps): string {
  return pathFor(d).join(helperHome(d), "backups");
}

/** `AWS_CONFIG_FILE` as the AWS SDKs and CLI honour it, else `~/.aws/config`. */
export function awsConfigFile(d: PathDeps): string {
  return d.env.AWS_CONFIG_FILE || pathFor(d).join(d.homedir, ".aws", "config");
}

/** Claude Code's user settings: `CLAUDE_CONFIG_DIR/settings.json`, else `~/.claude/settings.json`. */
export function claudeSettingsFile(d: PathDeps): string {
  return pathFor(d).join(d.env.CLAUDE_CONFIG_DIR || pathFor(d).join(d.homedir, ".claude"), "settings.json");
}

export function join(d: PathDeps, ...parts: string[]): string {
  return pathFor(d).join(...parts);
}

export function dirname(d: PathDeps, p: string): string {
  return pathFor(d).dirname(p);
}
