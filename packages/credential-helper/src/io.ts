/**
 * Everything the helper takes from the outside world, as interfaces only, injected so tests can freeze
 * the clock, swap the file system, fake the network and replace the browser. The production
 * implementations are in `real-deps.ts`; modules depend on this file, never on that one.
 */

/** The subset of `node:fs/promises` the helper uses; tests wrap it to inject failures. */
export interface Fs {
  readFile(path: string, encoding: "utf8"): Promise<string>;
  writeFile(path: string, data: string, options: { mode?: number; flag?: string; encoding?: "utf8" }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode?: number }): Promise<string | undefined>;
  chmod(path: string, mode: number): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Follows symlinks: the owner and mode checked are those of what would be read. */
  stat(path: string): Promise<{ mode: number; mtimeMs: number; uid: number; isDirectory(): boolean }>;
  readdir(path: string): Promise<string[]>;
  copyFile(from: string, to: string): Promise<void>;
  /** A hard link; rejects with EEXIST when `to` exists (never replaces it). */
  link(from: string, to: string): Promise<void>;
  /** The path with every symlink resolved (rejects when it, or a link's target, does not exist). */
  realpath(path: string): Promise<string>;
}

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Opens a URL for the user to sign in. Rejects when no browser could be started. */
export type BrowserOpener = (url: string) => Promise<void>;

export interface Logger {
  /** One line naming the module and the step; only printed with --debug. Never pass secrets. */
  debug(module: string, step: string, fields?: Record<string, string | number | boolean | undefined>): void;
  /** A message for the user, on stderr. */
  info(message: string): void;
  warn(message: string): void;
}

export interface Deps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly homedir: string;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly fs: Fs;
  readonly fetch: FetchLike;
  readonly openBrowser: BrowserOpener;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads one line from the terminal (pasted-URL sign-in); undefined when stdin is not interactive. */
  readonly readLine?: (prompt: string) => Promise<string | undefined>;
  readonly pid: number;
  /** The user running the helper (POSIX); files under the helper home must be theirs. Absent on Windows. */
  readonly uid?: number;
  readonly hostname: string;
  /** Whether a process id is alive (stale-lock recovery). */
  readonly isProcessAlive: (pid: number) => boolean;
  /** The command that runs this helper, as it should appear in `credential_process`. */
  readonly selfCommand: readonly string[];
  /**
   * The helper's own script with symlinks resolved (where the package's files are); undefined for a
   * single executable. When absent, the last element of `selfCommand` stands in.
   */
  readonly selfScript?: string;
  readonly version: string;
  readonly log: Logger;
  /** The OS keychain for the refresh token, when this machine has a usable one. */
  readonly secretStore?: SecretStore;
}

/** The OS keychain (keychain.ts), for the refresh token. */
export interface SecretStore {
  readonly name: string;
  get(account: string): Promise<string | undefined>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<void>;
}
