/**
 * The OS keychain, through the platform's own command-line tools, for the one long-lived secret: the
 * refresh token. macOS: `security` (login keychain). Linux: `secret-tool` (libsecret / Secret Service,
 * only with a D-Bus session). Windows: none yet (Credential Manager has no command to read a secret),
 * so files. Every call has a timeout (keychains hang: locked Ubuntu collections, slow DPAPI); any failure
 * means "use the 0600 file instead". Short-lived credentials and the id_token stay in files: reading a
 * keychain costs tens of milliseconds, more than the whole warm `credential-process`.
 */
import type { Deps, SecretStore } from "./io.js";

export type { SecretStore } from "./io.js";

export const KEYCHAIN_SERVICE = "claude-bedrock";
export const KEYCHAIN_TIMEOUT_MS = 3_000;

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
}

/** Runs a command with optional stdin and a timeout; rejects when it cannot start or times out. */
export type CommandRunner = (cmd: string, args: readonly string[], stdin: string | undefined, timeoutMs: number) => Promise<RunResult>;

export const runCommand: CommandRunner = async (cmd, args, stdin, timeoutMs) => {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { stdio: ["pipe", "pipe", "ignore"], timeout: timeoutMs, killSignal: "SIGKILL" });
    let stdout = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.once("error", reject);
    child.once("close", (code, signal) => (signal ? reject(new Error(`${cmd} timed out`)) : resolve({ code, stdout })));
    child.stdin.end(stdin ?? "");
  });
};

/** Only characters that need no quoting ever reach a keychain command line (tokens are base64url/JWT). */
const SAFE = /^[\w.~+/=-]+$/;

export function macosKeychain(run: CommandRunner, timeoutMs = KEYCHAIN_TIMEOUT_MS): SecretStore {
  return {
    name: "macOS keychain",
    async get(account) {
      const r = await run(
        "/usr/bin/security",
        ["find-generic-password", "-s", KEYCHAIN_SERVICE, "-a", account, "-w"],
        undefined,
        timeoutMs,
      );
      if (r.code === 44) return undefined; // errSecItemNotFound
      if (r.code !== 0) throw new Error(`security exited ${r.code}`);
      return r.stdout.replace(/\n$/, "");
    },
    async set(account, secret) {
      if (!SAFE.test(secret) || !SAFE.test(account)) throw new Error("refusing to pass unusual characters to security");
      // Through `security -i` on stdin, so the secret never appears in the process list.
      const r = await run(
        "/usr/bin/security",
        ["-i"],
        `add-generic-password -U -s ${KEYCHAIN_SERVICE} -a ${account} -w ${secret}\n`,
        timeoutMs,
      );
      if (r.code !== 0) throw new Error(`security exited ${r.code}`);
    },
    async delete(account) {
      await run("/usr/bin/security", ["delete-generic-password", "-s", KEYCHAIN_SERVICE, "-a", account], undefined, timeoutMs);
    },
  };
}

export function secretServiceKeychain(run: CommandRunner, timeoutMs = KEYCHAIN_TIMEOUT_MS): SecretStore {
  const attrs = (account: string) => ["service", KEYCHAIN_SERVICE, "account", account];
  return {
    name: "Secret Service",
    async get(account) {
      const r = await run("secret-tool", ["lookup", ...attrs(account)], undefined, timeoutMs);
      if (r.code !== 0 || r.stdout === "") return undefined;
      return r.stdout.replace(/\n$/, "");
    },
    async set(account, secret) {
      const r = await run("secret-tool", ["store", `--label=claude-bedrock ${account}`, ...attrs(account)], secret, timeoutMs);
      if (r.code !== 0) throw new Error(`secret-tool exited ${r.code}`);
    },
    async delete(account) {
      await run("secret-tool", ["clear", ...attrs(account)], undefined, timeoutMs);
    },
  };
}

/** The keychain for this machine, or undefined (files). `CLAUDE_BEDROCK_KEYCHAIN=off` forces files. */
export function platformKeychain(d: Pick<Deps, "env" | "platform">, run: CommandRunner = runCommand): SecretStore | undefined {
  if (d.env.CLAUDE_BEDROCK_KEYCHAIN === "off") return undefined;
  if (d.platform === "darwin") return macosKeychain(run);
  if (d.platform === "linux" && d.env.DBUS_SESSION_BUS_ADDRESS) return secretServiceKeychain(run);
  return undefined;
}
