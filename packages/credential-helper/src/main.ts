/**
 * The executable's entry point (bundled to `dist/claude-bedrock.cjs`). The only place that knows exit
 * codes and the only place that touches `process` directly.
 */
import { run } from "./cli.js";
import { realDeps } from "./real-deps.js";
import { systemBrowserOpener } from "./browser.js";
import { toHelperError, type HelperErrorCode } from "./errors.js";
import type { FetchLike } from "./io.js";
import { currentStageCaBundle } from "./network.js";

/** One exit code per error code; 0 success, 1 doctor found problems, 2 usage. Documented in the README. */
export const EXIT_CODES: Readonly<Record<HelperErrorCode, number>> = {
  ERR_CLI_USAGE: 2,
  ERR_SETTINGS_MISSING: 10,
  ERR_SETTINGS_INVALID: 11,
  ERR_CACHE_UNWRITABLE: 12,
  ERR_LOCK_TIMEOUT: 13,
  ERR_CACHE_UNSAFE: 14,
  ERR_TLS_UNTRUSTED: 15,
  ERR_PROXY_FAILED: 16,
  ERR_IDP_UNREACHABLE: 20,
  ERR_IDP_DISCOVERY: 21,
  ERR_IDP_REJECTED: 22,
  ERR_REFRESH_REVOKED: 23,
  ERR_LOGIN_REQUIRED: 24,
  ERR_LOGIN_CANCELLED: 25,
  ERR_LOGIN_TIMEOUT: 26,
  ERR_LOGIN_STATE_MISMATCH: 27,
  ERR_LOGIN_PORT_IN_USE: 28,
  ERR_LOGIN_DEVICE_UNSUPPORTED: 29,
  ERR_TOKEN_SIGNATURE: 30,
  ERR_TOKEN_EXPIRED: 31,
  ERR_TOKEN_NOT_YET_VALID: 32,
  ERR_TOKEN_ISSUER: 33,
  ERR_TOKEN_AUDIENCE: 34,
  ERR_TOKEN_NONCE: 35,
  ERR_TOKEN_CLAIMS: 36,
  ERR_STS_ACCESS_DENIED: 40,
  ERR_STS_EXPIRED_TOKEN: 41,
  ERR_STS_INVALID_TOKEN: 42,
  ERR_STS_UNREACHABLE: 43,
  ERR_STS_FAILED: 44,
  ERR_COGNITO_FAILED: 45,
  ERR_QUOTA_BLOCKED: 50,
  ERR_QUOTA_UNAVAILABLE: 51,
  ERR_FEDERATION_IDENTITY_CENTER: 60,
  ERR_SETUP_UNPARSABLE: 61,
  ERR_SETUP_NOTHING_TO_UNDO: 62,
  ERR_MANAGED_UNWRITABLE: 63,
  ERR_SETUP_AWS_CONFIG_INVALID: 64,
  ERR_SETUP_UNKNOWN_TEAM: 65,
  ERR_HELPER_INTERNAL: 70,
};

export async function main(argv: readonly string[]): Promise<number> {
  // stdout belongs to the credential JSON: anything a library logs goes to stderr instead.
  for (const k of ["log", "info", "debug"] as const) console[k] = (...args: unknown[]) => console.error(...args);
  // Lines typed or pasted on stdin, queued so that none is lost between two prompts.
  let closeStdin: (() => void) | undefined;
  let started = false;
  let closed = false;
  const lines: string[] = [];
  let waiter: ((line: string | undefined) => void) | undefined;
  const readLine = async (prompt: string): Promise<string | undefined> => {
    if (!started) {
      started = true;
      const readline = await import("node:readline");
      const iface = readline.createInterface({ input: process.stdin, terminal: false });
      iface.on("line", (line) => {
        const w = waiter;
        waiter = undefined;
        if (w) w(line);
        else lines.push(line);
      });
      iface.once("close", () => {
        closed = true;
        waiter?.(undefined);
      });
      closeStdin = () => {
        iface.close();
        process.stdin.destroy();
      };
    }
    process.stderr.write(prompt);
    if (lines.length > 0) return lines.shift();
    if (closed) return undefined;
    return new Promise((resolve) => (waiter = resolve));
  };
  // Proxy and CA aware (net-client.ts), loaded on the first call.
  let netFetch: Promise<FetchLike> | undefined;
  const fetch: FetchLike = async (input, init) => {
    netFetch ??= import("./net-client.js").then((m) => m.proxyAwareFetch(process.env, currentStageCaBundle));
    return (await netFetch)(input, init);
  };
  const d = realDeps({ debug: argv.includes("--debug"), openBrowser: systemBrowserOpener(process.env, process.platform), readLine, fetch });
  try {
    return await run(argv, d);
  } catch (e) {
    const err = toHelperError(e);
    d.stderr(`${err.toLine()}\n`);
    if (argv.includes("--debug") && err.code === "ERR_HELPER_INTERNAL" && err.cause instanceof Error) d.stderr(`${err.cause.stack}\n`);
    return EXIT_CODES[err.code];
  } finally {
    closeStdin?.();
  }
}

// The bundle's entry (entry.ts) calls `main`; this module never runs itself, so tests can import EXIT_CODES.
