/**
 * The production implementations of the interfaces in `io.ts`: `realDeps()` builds them and is only
 * called by `main.ts`; the logger, the self-command and the version live here too.
 */
// Named imports, not `* as`: the bundle turns a namespace import into a copy of every export, which
// costs the warm path measurable time (see docs/helper-internals.md, "Performance").
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import type { BrowserOpener, Deps, FetchLike, Fs, Logger } from "./io.js";
import { platformKeychain } from "./keychain.js";

declare const __CCB_VERSION__: string | undefined;

/** The helper's own version: injected at build time, else the package version seen by tests. */
export const HELPER_VERSION: string = typeof __CCB_VERSION__ === "string" ? __CCB_VERSION__ : "0.0.0-dev";

export function makeLogger(stderr: (t: string) => void, debug: boolean): Logger {
  return {
    debug(module, step, fields) {
      if (!debug) return;
      const rest = fields
        ? Object.entries(fields)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${k}=${redact(String(v))}`)
            .join(" ")
        : "";
      stderr(`[debug] ${module}: ${step}${rest ? ` ${rest}` : ""}\n`);
    },
    info(message) {
      stderr(`${message}\n`);
    },
    warn(message) {
      stderr(`claude-bedrock: warning: ${message}\n`);
    },
  };
}

/** Belt and braces: anything shaped like a JWT or a long opaque secret never reaches a log line. */
export function redact(value: string): string {
  return value
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, "<jwt>")
    .replace(/([?&](?:code|state|nonce|code_verifier|refresh_token|id_token|access_token)=)[^&\s]+/gi, "$1<redacted>")
    .replace(/\b[A-Za-z0-9+/=_-]{40,}\b/g, "<secret>");
}

/**
 * `node:os` is loaded only when something needs it: the warm path needs neither the hostname nor, with
 * HOME set, a home lookup, and loading the module is a measurable share of a warm `credential-process`.
 */
const os = (): typeof import("node:os") =>
  // `getBuiltinModule` from Node 20.16/22.3 (also where `require` is not defined: ESM, the tests); the
  // bundle is CommonJS, so older Node has `require`.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  process.getBuiltinModule?.("node:os") ?? (require("node:os") as typeof import("node:os"));

/**
 * `os.homedir()`, without loading `node:os` where it would only read HOME: on macOS and Linux libuv's
 * `uv_os_homedir` returns HOME whenever it is set (even empty) and only then asks the password database.
 */
export function homeDirectory(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  const home = platform === "win32" ? undefined : env.HOME;
  return home ?? os().homedir();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface RealDepsOptions {
  readonly debug: boolean;
  readonly openBrowser: BrowserOpener;
  readonly readLine?: Deps["readLine"];
  /** The network (main.ts: proxy and CA aware, loaded on first use; the warm path has none). */
  readonly fetch: FetchLike;
  /** Replaces the stderr logger (the warm path's, see `warm.ts`). */
  readonly log?: Logger;
}

/**
 * Synchronous `node:fs` behind the async `Fs` interface. A CLI has nothing else to do while it waits
 * for its own files, and the first asynchronous fs call would start libuv's thread pool, which costs
 * a noticeable share of a warm `credential-process` (as does loading `node:fs/promises`).
 */
function syncFs(): Fs {
  return {
    readFile: async (p, enc) => readFileSync(p, enc),
    writeFile: async (p, data, o) => writeFileSync(p, data, o),
    rename: async (a, b) => renameSync(a, b),
    mkdir: async (p, o) => mkdirSync(p, o),
    chmod: async (p, m) => chmodSync(p, m),
    unlink: async (p) => unlinkSync(p),
    stat: async (p) => statSync(p),
    readdir: async (p) => readdirSync(p),
    copyFile: async (a, b) => copyFileSync(a, b),
    link: async (a, b) => linkSync(a, b),
    realpath: async (p) => realpathSync(p),
  };
}

/** Synchronous writes to fd 1/2: no stream objects to set up (startup cost), nothing lost on exit. */
function writeFd(fd: number, text: string): void {
  const buf = Buffer.from(text, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
    }
  }
}

export function realDeps(options: RealDepsOptions): Deps {
  const stderr = (t: string) => writeFd(2, t);
  const env = process.env;
  const deps: Omit<Deps, "selfCommand" | "selfScript" | "hostname"> = {
    env,
    platform: process.platform,
    homedir: homeDirectory(env, process.platform),
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    fs: syncFs(),
    fetch: options.fetch,
    openBrowser: options.openBrowser,
    stdout: (t) => writeFd(1, t),
    stderr,
    readLine: options.readLine,
    pid: process.pid,
    ...(typeof process.getuid === "function" ? { uid: process.getuid() } : {}),
    isProcessAlive: isAlive,
    version: HELPER_VERSION,
    log: options.log ?? makeLogger(stderr, options.debug),
    secretStore: platformKeychain({ env, platform: process.platform }),
  };
  // Computed on first use: the warm path never reports it.
  let host: string | undefined;
  Object.defineProperty(deps, "hostname", { get: () => (host ??= os().hostname()), enumerable: true });
  // Computed on first use: only setup needs it, and `node:sea` is not free to load.
  Object.defineProperty(deps, "selfScript", { get: () => selfInfo().script, enumerable: true });
  return Object.defineProperty(deps, "selfCommand", { get: () => selfInfo().command, enumerable: true }) as Deps;
}

let self: { command: string[]; script: string | undefined } | undefined;
function selfInfo(): { command: string[]; script: string | undefined } {
  if (self) return self;
  const argv1 = process.argv[1];
  const isSea = (() => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require("node:sea") as { isSea(): boolean }).isSea();
    } catch {
      return false;
    }
  })();
  const command = selfCommandFor({
    execPath: process.execPath,
    argv1,
    isSea,
    bundled: typeof __CCB_VERSION__ === "string",
    platform: process.platform,
    isRunnableScript: runnableScript,
  });
  let script: string | undefined;
  if (!isSea && argv1 !== undefined) {
    try {
      script = isBunfs(argv1) ? argv1 : realpathSync(argv1);
    } catch {
      script = argv1;
    }
  }
  return (self = { command, script });
}

const isBunfs = (p: string) => p.includes("/$bunfs/") || p.includes("~BUN");

/** An executable file that starts with `#!` (npm's bin link to the bundle, with its node shebang). */
function runnableScript(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    const fd = openSync(p, "r");
    try {
      const buf = Buffer.alloc(2);
      return readSync(fd, buf, 0, 2, 0) === 2 && buf.toString("latin1") === "#!";
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

export interface SelfCommandInputs {
  readonly execPath: string;
  /** `process.argv[1]` as invoked: for an npm install, the bin link (symlinks not resolved). */
  readonly argv1: string | undefined;
  readonly isSea: boolean;
  /** True in the built bundle, false when run from source (tsx, vitest). */
  readonly bundled: boolean;
  readonly platform: NodeJS.Platform;
  readonly isRunnableScript: (path: string) => boolean;
}

/**
 * The command written to `credential_process` and `otelHeadersHelper`:
 * - a single executable (Node SEA, bun): the executable alone;
 * - the npm-installed bundle on macOS/Linux: the bin link as invoked, alone. Its `#!/usr/bin/env node`
 *   finds whatever Node is current, so upgrading Node (Homebrew's Cellar, nvm) does not break it, as
 *   pinning `process.execPath` (a symlink-resolved, version-specific path) would;
 * - otherwise (Windows, where npm's shims are .cmd files; running from source; a script that is not
 *   executable): `<node> <script>` as before.
 */
export function selfCommandFor(o: SelfCommandInputs): string[] {
  if (o.isSea || o.argv1 === undefined || isBunfs(o.argv1)) return [o.execPath];
  if (o.bundled && o.platform !== "win32" && o.isRunnableScript(o.argv1)) return [o.argv1];
  return [o.execPath, o.argv1];
}
