/**
 * Argument parsing and dispatch. Throws `HelperError`s; `main.ts` turns them into one stderr line and
 * an exit code. Each command module is imported only when that command runs.
 */
import type { Deps } from "./io.js";
import { HelperError } from "./errors.js";
import { loadSettings, type LoadedSettings } from "./settings.js";
import type { StageSettings } from "@ccb/contracts";
import { COMMANDS, GLOBAL_HELP, HELP, type Command } from "./help.js";
import { useStageCaBundle } from "./network.js";
import * as path from "node:path";

export { COMMANDS } from "./help.js";

interface Parsed {
  command?: Command;
  help: boolean;
  version: boolean;
  debug: boolean;
  settingsFile?: string;
  stage?: string;
  team?: string;
  managedDir?: string;
  flags: Set<string>;
}

const FLAGS: Record<Command, readonly string[]> = {
  setup: ["--undo", "--managed", "--print", "--force"],
  login: ["--no-browser", "--device"],
  "credential-process": [],
  "otel-headers": [],
  status: ["--json"],
  doctor: ["--live"],
  logout: ["--idp"],
};

export function parseArgs(argv: readonly string[]): Parsed {
  const p: Parsed = { help: false, version: false, debug: false, flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const eq = a.indexOf("=");
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new HelperError("ERR_CLI_USAGE", `${a} needs a value`);
      return v;
    };
    const name = a.includes("=") ? a.slice(0, a.indexOf("=")) : a;
    if (a === "-h" || a === "--help") p.help = true;
    else if (a === "-V" || a === "--version") p.version = true;
    else if (a === "--debug") p.debug = true;
    else if (name === "--settings") p.settingsFile = value();
    else if (name === "--stage") p.stage = value();
    else if (name === "--team") p.team = value();
    else if (name === "--managed-dir") p.managedDir = value();
    else if (!a.startsWith("-") && p.command === undefined) {
      if (a === "help") p.help = true;
      else if ((COMMANDS as readonly string[]).includes(a)) p.command = a as Command;
      else throw new HelperError("ERR_CLI_USAGE", `unknown command "${a}"`);
    } else if (p.command && FLAGS[p.command].includes(a)) p.flags.add(a);
    else if (p.help) continue;
    else throw new HelperError("ERR_CLI_USAGE", `unknown option "${a}"${p.command ? ` for ${p.command}` : ""}`);
  }
  if (p.team !== undefined && p.command !== "setup") throw new HelperError("ERR_CLI_USAGE", "--team is an option of setup");
  if (p.managedDir !== undefined) {
    if (p.command !== "setup" && p.command !== "doctor")
      throw new HelperError("ERR_CLI_USAGE", "--managed-dir is an option of setup --managed and doctor");
    if (p.command === "setup") p.flags.add("--managed");
  }
  if (p.flags.has("--print") && !p.flags.has("--managed")) throw new HelperError("ERR_CLI_USAGE", "--print goes with setup --managed");
  if (p.flags.has("--print") && p.flags.has("--undo")) throw new HelperError("ERR_CLI_USAGE", "choose one of --print and --undo");
  if (p.flags.has("--force") && (p.flags.has("--undo") || p.flags.has("--managed")))
    throw new HelperError("ERR_CLI_USAGE", "--force goes with setup alone (not --undo or --managed)");
  if (p.flags.has("--managed") && p.team !== undefined)
    throw new HelperError("ERR_CLI_USAGE", "--team is per developer; managed settings apply to every user (leave out --team)");
  if (p.flags.has("--no-browser") && p.flags.has("--device"))
    throw new HelperError("ERR_CLI_USAGE", "choose one of --no-browser and --device");
  return p;
}

/**
 * The stage settings, and the stage's `caBundle` made the trust of every later network call. A relative
 * `caBundle` is next to the helper (where the distribution ships it), resolved on the first call only.
 */
async function loadStage(d: Deps, sel: { settingsFile?: string; stage?: string }): Promise<LoadedSettings> {
  const loaded = await loadSettings(d, sel);
  const ca = loaded.settings.caBundle;
  useStageCaBundle(
    ca === undefined
      ? undefined
      : () => {
          if (path.isAbsolute(ca) || path.win32.isAbsolute(ca)) return ca;
          const self = d.selfScript ?? d.selfCommand[d.selfCommand.length - 1];
          return self === undefined ? ca : path.join(path.dirname(self), ca);
        },
  );
  return loaded;
}

/** Runs the CLI. Returns the exit status for outcomes that are not errors (doctor with failed checks: 1). */
export async function run(argv: readonly string[], d: Deps): Promise<number> {
  const p = parseArgs(argv);
  if (p.version) {
    d.stdout(`claude-bedrock ${d.version}\n`);
    return 0;
  }
  if (p.help || p.command === undefined) {
    if (!p.help && p.command === undefined) {
      d.stderr(GLOBAL_HELP);
      throw new HelperError("ERR_CLI_USAGE", "no command given");
    }
    d.stdout(p.command ? HELP[p.command] : GLOBAL_HELP);
    return 0;
  }
  const sel = { ...(p.settingsFile ? { settingsFile: p.settingsFile } : {}), ...(p.stage ? { stage: p.stage } : {}) };

  switch (p.command) {
    case "credential-process": {
      const { settings } = await loadStage(d, sel);
      const [{ CredentialResolver, loginTimeoutMs }, { processOutput }, { isHeadless }] = await Promise.all([
        import("./credentials.js"),
        import("./cache.js"),
        import("./browser.js"),
      ]);
      const resolver = new CredentialResolver(d, settings, {
        allowBrowser: !isHeadless(d.env, d.platform),
        loginTimeoutMs: loginTimeoutMs(d.env),
      });
      let creds;
      try {
        creds = await resolver.resolve();
      } finally {
        // A browser sign-in happened (even if STS then failed): the team's models may have changed.
        if (resolver.signedIn) {
          const note = await applyTeamChange(d, settings);
          if (note) d.log.info(`${note} Restart Claude Code to use them.`);
        }
      }
      d.stdout(`${processOutput(creds)}\n`);
      return 0;
    }
    case "otel-headers": {
      // Contract: valid JSON and exit 0, whatever happens.
      let headers: Record<string, string> = {};
      try {
        const { settings } = await loadStage(d, sel);
        const { otelHeaders } = await import("./otel-headers.js");
        headers = await otelHeaders(d, settings);
      } catch (e) {
        d.log.debug("otel-headers", "no headers", { error: (e as Error).message });
      }
      d.stdout(`${JSON.stringify(headers)}\n`);
      return 0;
    }
    case "setup":
      return setupCommand(d, p, sel);
    case "login": {
      const { settings } = await loadStage(d, sel);
      const [{ login }, { loginTimeoutMs }] = await Promise.all([import("./commands.js"), import("./credentials.js")]);
      const r = await login(d, settings, {
        noBrowser: p.flags.has("--no-browser"),
        device: p.flags.has("--device"),
        timeoutMs: loginTimeoutMs(d.env),
      });
      const note = r.teamChanged ? await applyTeamChange(d, settings) : undefined;
      d.log.info(`${r.message}${note ? ` ${note}` : ""}`);
      await updateNotice(d, settings);
      return 0;
    }
    case "logout": {
      const { settings } = await loadStage(d, sel);
      const { logout } = await import("./commands.js");
      d.log.info(await logout(d, settings, p.flags.has("--idp")));
      await updateNotice(d, settings);
      return 0;
    }
    case "status": {
      const loaded = await loadStage(d, sel);
      const { status, formatStatus } = await import("./commands.js");
      const report = await status(d, loaded.settings, loaded.source);
      d.stdout(p.flags.has("--json") ? `${JSON.stringify(report, null, 2)}\n` : `${formatStatus(report)}\n`);
      await updateNotice(d, loaded.settings);
      return 0;
    }
    case "doctor": {
      const { doctor, formatChecks, unsafeHomeChecks } = await import("./doctor.js");
      const loaded = await loadStage(d, sel).catch((e: unknown) => {
        // Saved settings under an unsafe helper home are not read; doctor still says what to fix.
        if (e instanceof HelperError && e.code === "ERR_CACHE_UNSAFE") return e;
        throw e;
      });
      const checks =
        loaded instanceof HelperError
          ? await unsafeHomeChecks(d, loaded)
          : await doctor(d, loaded.settings, loaded.source, p.managedDir === undefined ? {} : { managedDir: p.managedDir });
      if (p.flags.has("--live") && !(loaded instanceof HelperError)) {
        const { liveChecks } = await import("./live.js");
        checks.push(...(await liveChecks(d, loaded.settings)));
      }
      d.stdout(`${formatChecks(checks)}\n`);
      return checks.some((c) => c.ok === false) ? 1 : 0;
    }
  }
}

async function setupCommand(d: Deps, p: Parsed, sel: { settingsFile?: string; stage?: string }): Promise<number> {
  if (p.flags.has("--managed")) return managedCommand(d, p, sel);
  if (p.flags.has("--undo")) {
    const { runUndo } = await import("./undo.js");
    const settings = sel.stage ? undefined : (await loadStage(d, sel)).settings;
    const stage = sel.stage ?? settings!.stage;
    report(d, await runUndo(d, stage), `Undid setup of stage ${stage}.`);
    if (settings) await updateNotice(d, settings);
    return 0;
  }
  const { loaded, text } = await setupSettings(d, sel);
  const { runSetup } = await import("./setup.js");
  const result = await runSetup(d, loaded.settings, {
    ...(p.team ? { team: p.team } : {}),
    settingsText: text,
    force: p.flags.has("--force"),
  });
  report(d, result, `Set up stage ${loaded.settings.stage}: profile ${loaded.settings.awsProfile} in ${loaded.settings.region}.`);
  if (loaded.settings.federation.mode === "identity-center")
    d.log.info(`Next: run \`aws sso login --profile ${loaded.settings.awsProfile}\`, then \`claude\`.`);
  else d.log.info("Next: run `claude-bedrock login` (or just start `claude`; it signs you in when needed).");
  await updateNotice(d, loaded.settings);
  return 0;
}

/** The settings setup works from: `--settings`/env file as written, else the bundled ones, else the saved stage. */
async function setupSettings(d: Deps, sel: { settingsFile?: string; stage?: string }): Promise<{ loaded: LoadedSettings; text: string }> {
  if (sel.settingsFile || d.env.CLAUDE_BEDROCK_SETTINGS) {
    const loaded = await loadStage(d, sel);
    return { loaded, text: await d.fs.readFile(loaded.source, "utf8") };
  }
  const { bundledSettings } = await import("./settings.js");
  const bundled = sel.stage ? undefined : await bundledSettings(d);
  const loaded = bundled ?? (await loadStage(d, sel));
  return { loaded, text: JSON.stringify(loaded.settings) };
}

/**
 * `setup --managed`: the org-enforced drop-in (managed.ts). Run by IT as administrator or for an MDM
 * package: it writes nothing in the caller's home and runs no update check.
 */
async function managedCommand(d: Deps, p: Parsed, sel: { settingsFile?: string; stage?: string }): Promise<number> {
  const { defaultManagedDir, removeManaged, renderManaged, writeManaged } = await import("./managed.js");
  const dir = p.managedDir ?? defaultManagedDir(d);
  if (p.flags.has("--undo")) {
    const stage = sel.stage ?? (await loadStage(d, sel)).settings.stage;
    const r = await removeManaged(d, stage, dir);
    d.log.info(
      r.changed
        ? `Removed the managed settings of stage ${stage}: ${r.file}`
        : `No managed settings for stage ${stage} to remove (${r.file}).`,
    );
    return 0;
  }
  const { settings } = (await setupSettings(d, sel)).loaded;
  if (p.flags.has("--print")) {
    d.stdout(renderManaged(d, settings));
    return 0;
  }
  const r = await writeManaged(d, settings, dir);
  d.log.info(
    `Managed settings of stage ${settings.stage} (Bedrock, Region${settings.telemetry ? ", telemetry" : ""}${settings.teams.length === 0 ? ", models" : ""}) for every user of this machine:`,
  );
  d.log.info(`  ${r.changed ? "updated  " : "unchanged"} ${r.file}`);
  if (settings.teams.length > 0) d.log.info("  note: the stage has teams, so model pins stay in each developer's settings");
  d.log.info(`Developers still run \`claude-bedrock setup\` once: it adds their AWS profile (${settings.awsProfile}).`);
  return 0;
}

function report(d: Deps, r: { changed: string[]; unchanged: string[]; notes: string[] }, headline: string): void {
  d.log.info(headline);
  for (const f of r.changed) d.log.info(`  updated   ${f}`);
  for (const f of r.unchanged) d.log.info(`  unchanged ${f}`);
  for (const n of r.notes) d.log.info(`  note: ${n}`);
}

/**
 * After a new sign-in: switch Claude Code to the signed-in team's inference profiles when setup has run
 * (setup.ts; best effort, a no-op when nothing changes). Returns the note to show, if any.
 */
async function applyTeamChange(d: Deps, s: StageSettings): Promise<string | undefined> {
  const { applyTeamModels } = await import("./setup.js");
  return applyTeamModels(d, s);
}

/**
 * The once-a-day "newer version" notice after an interactive command (update-check.ts). Called only by
 * setup, login, logout and status: `credential-process` and `otel-headers` never load the module.
 */
async function updateNotice(d: Deps, s: StageSettings): Promise<void> {
  if (!s.distribution) return;
  const { updateNotice: notice } = await import("./update-check.js");
  await notice(d, s);
}
