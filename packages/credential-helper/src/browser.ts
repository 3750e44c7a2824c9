/**
 * Opening the sign-in page. Order: `CLAUDE_BEDROCK_BROWSER_COMMAND` (a command line; the URL is appended,
 * used by the end-to-end tests and by people with unusual setups), then `BROWSER` (Python-webbrowser
 * style: `:`-separated commands, `%s` replaced by the URL), then the platform opener: `open` (macOS),
 * `cmd /c start` (Windows), `xdg-open` (Linux and the rest).
 */

/** Splits a command line on spaces, honouring "double" and 'single' quotes. */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  let started = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started || cur) out.push(cur);
      cur = "";
      started = false;
    } else {
      cur += ch;
    }
  }
  if (started || cur) out.push(cur);
  return out;
}

/** The commands to try for `url`, in order, each as argv. Pure, for tests. */
export function browserCommands(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform, url: string): string[][] {
  const cmds: string[][] = [];
  const custom = env.CLAUDE_BEDROCK_BROWSER_COMMAND;
  if (custom) cmds.push([...splitCommandLine(custom), url]);
  const browser = env.BROWSER;
  if (browser) {
    for (const entry of browser.split(platform === "win32" ? ";" : ":")) {
      const argv = splitCommandLine(entry);
      if (argv.length === 0) continue;
      cmds.push(argv.some((a) => a.includes("%s")) ? argv.map((a) => a.replace("%s", url)) : [...argv, url]);
    }
  }
  if (platform === "darwin") cmds.push(["open", url]);
  // `start` treats the first quoted argument as a window title, and cmd gives `&` a meaning: escape it.
  else if (platform === "win32") cmds.push(["cmd", "/c", "start", '""', url.replace(/&/g, "^&")]);
  else cmds.push(["xdg-open", url]);
  return cmds;
}

/** True when no browser can be shown here (SSH session or no display), unless one is configured. */
export function isHeadless(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform): boolean {
  if (env.CLAUDE_BEDROCK_BROWSER_COMMAND || env.BROWSER) return false;
  if (env.SSH_CONNECTION || env.SSH_TTY) return true;
  if (platform === "linux" || platform === "freebsd" || platform === "openbsd") return !env.DISPLAY && !env.WAYLAND_DISPLAY;
  return false;
}

async function trySpawn(argv: string[]): Promise<void> {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    if (!cmd) return reject(new Error("empty command"));
    const child = spawn(cmd, args, { stdio: "ignore", detached: process.platform !== "win32", windowsVerbatimArguments: cmd === "cmd" });
    child.once("error", reject);
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
}

export function systemBrowserOpener(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform) {
  return async (url: string): Promise<void> => {
    let last: unknown;
    for (const argv of browserCommands(env, platform, url)) {
      try {
        await trySpawn(argv);
        return;
      } catch (e) {
        last = e;
      }
    }
    throw last ?? new Error("no browser command");
  };
}
