/**
 * One error class for the whole helper, with a closed set of codes.
 *
 * Every code carries a fix the user can act on; `main.ts` alone maps codes to exit codes, so the rest
 * of the helper never calls `process.exit`. `recoverable` says whether the caller may fall back to the
 * next way of getting credentials (the AWS SDK's `tryNextLink` idea): an expired refresh token is
 * recoverable by a browser sign-in, a bad signature or a wrong issuer is not.
 */

export const ERROR_CODES = [
  "ERR_CLI_USAGE",
  "ERR_SETTINGS_MISSING",
  "ERR_SETTINGS_INVALID",
  "ERR_CACHE_UNWRITABLE",
  "ERR_CACHE_UNSAFE",
  "ERR_LOCK_TIMEOUT",
  "ERR_TLS_UNTRUSTED",
  "ERR_PROXY_FAILED",
  "ERR_IDP_UNREACHABLE",
  "ERR_IDP_DISCOVERY",
  "ERR_IDP_REJECTED",
  "ERR_REFRESH_REVOKED",
  "ERR_LOGIN_REQUIRED",
  "ERR_LOGIN_CANCELLED",
  "ERR_LOGIN_TIMEOUT",
  "ERR_LOGIN_STATE_MISMATCH",
  "ERR_LOGIN_PORT_IN_USE",
  "ERR_LOGIN_DEVICE_UNSUPPORTED",
  "ERR_TOKEN_SIGNATURE",
  "ERR_TOKEN_EXPIRED",
  "ERR_TOKEN_NOT_YET_VALID",
  "ERR_TOKEN_ISSUER",
  "ERR_TOKEN_AUDIENCE",
  "ERR_TOKEN_NONCE",
  "ERR_TOKEN_CLAIMS",
  "ERR_STS_ACCESS_DENIED",
  "ERR_STS_EXPIRED_TOKEN",
  "ERR_STS_INVALID_TOKEN",
  "ERR_STS_UNREACHABLE",
  "ERR_STS_FAILED",
  "ERR_COGNITO_FAILED",
  "ERR_QUOTA_BLOCKED",
  "ERR_QUOTA_UNAVAILABLE",
  "ERR_FEDERATION_IDENTITY_CENTER",
  "ERR_SETUP_UNPARSABLE",
  "ERR_SETUP_NOTHING_TO_UNDO",
  "ERR_SETUP_AWS_CONFIG_INVALID",
  "ERR_SETUP_UNKNOWN_TEAM",
  "ERR_MANAGED_UNWRITABLE",
  "ERR_HELPER_INTERNAL",
] as const;

export type HelperErrorCode = (typeof ERROR_CODES)[number];

/** What the user should do, per code. Shown after the message on the same stderr line. */
export const FIXES: Readonly<Record<HelperErrorCode, string>> = {
  ERR_CLI_USAGE: "run `claude-bedrock --help`",
  ERR_SETTINGS_MISSING: "run `claude-bedrock setup --settings <file>` with the stage settings from your platform team",
  ERR_SETTINGS_INVALID: "ask your platform team for current stage settings, then run `claude-bedrock setup --settings <file>`",
  ERR_CACHE_UNWRITABLE: "make your home directory writable (or set CLAUDE_BEDROCK_HOME to a writable directory)",
  ERR_CACHE_UNSAFE: "run the chown/chmod named above (or remove the path: the helper recreates it), then retry",
  ERR_LOCK_TIMEOUT: "another sign-in is still running; finish it in the browser, or delete the lock file named above",
  ERR_TLS_UNTRUSTED:
    "if your network inspects TLS (a corporate proxy), set NODE_EXTRA_CA_CERTS to the PEM file of your organisation's root CA (ask IT for it) in the environment Claude Code and your terminal start with, then retry",
  ERR_PROXY_FAILED:
    "check HTTPS_PROXY/HTTP_PROXY (and NO_PROXY for hosts that must be reached directly) against your IT's proxy settings, then retry",
  ERR_IDP_UNREACHABLE: "check your network or VPN, then retry",
  ERR_IDP_DISCOVERY: "the identity provider's configuration does not match the stage settings; tell your platform team",
  ERR_IDP_REJECTED: "run `claude-bedrock login`; if it persists, tell your platform team",
  ERR_REFRESH_REVOKED: "run `claude-bedrock login`",
  ERR_LOGIN_REQUIRED: "run `claude-bedrock login` in a terminal (add --no-browser or --device on a machine without a browser)",
  ERR_LOGIN_CANCELLED: "run `claude-bedrock login` again and approve the sign-in",
  ERR_LOGIN_TIMEOUT: "run `claude-bedrock login` and finish the sign-in in the browser within the time limit",
  ERR_LOGIN_STATE_MISMATCH: "close stale sign-in tabs and run `claude-bedrock login` again",
  ERR_LOGIN_PORT_IN_USE: "stop the program that listens on that port (see `claude-bedrock doctor`), then retry",
  ERR_LOGIN_DEVICE_UNSUPPORTED: "use `claude-bedrock login --no-browser` instead",
  ERR_TOKEN_SIGNATURE:
    "do not retry on this network; report it to your security team (the sign-in answer was not signed by your identity provider)",
  ERR_TOKEN_EXPIRED: "check that your computer's clock is correct, then run `claude-bedrock login`",
  ERR_TOKEN_NOT_YET_VALID: "check that your computer's clock is correct, then run `claude-bedrock login`",
  ERR_TOKEN_ISSUER: "the stage settings name a different identity provider; ask your platform team for current settings",
  ERR_TOKEN_AUDIENCE: "the stage settings name a different client id; ask your platform team for current settings",
  ERR_TOKEN_NONCE: "run `claude-bedrock login` again; close other sign-in tabs first",
  ERR_TOKEN_CLAIMS: "your identity provider account lacks a required attribute; tell your platform team",
  ERR_STS_ACCESS_DENIED: "your account is not allowed to use Claude Code on Bedrock; ask your platform team for access",
  ERR_STS_EXPIRED_TOKEN: "check that your computer's clock is correct, then run `claude-bedrock login`",
  ERR_STS_INVALID_TOKEN:
    "run `claude-bedrock login`; if it persists, the AWS identity provider trust is misconfigured: tell your platform team",
  ERR_STS_UNREACHABLE: "check your network, proxy or VPN, then retry",
  ERR_STS_FAILED: "retry; if it persists, run `claude-bedrock doctor` and tell your platform team",
  ERR_COGNITO_FAILED: "run `claude-bedrock login`; if it persists, tell your platform team",
  ERR_QUOTA_BLOCKED: "you have reached your usage limit; contact your administrator",
  ERR_QUOTA_UNAVAILABLE: "the quota service could not be reached and this stage refuses credentials without it; retry later",
  ERR_FEDERATION_IDENTITY_CENTER: "this stage uses IAM Identity Center: run `aws sso login --profile <profile>`",
  ERR_SETUP_UNPARSABLE: "fix or move the file named above (a backup is never overwritten), then run setup again",
  ERR_SETUP_NOTHING_TO_UNDO: "nothing to do",
  ERR_SETUP_AWS_CONFIG_INVALID: "fix the line named above (the AWS CLI rejects the file as it is), then run setup again",
  ERR_SETUP_UNKNOWN_TEAM: "pass one of the teams named above to --team, or leave --team out to use the team of your sign-in",
  ERR_MANAGED_UNWRITABLE:
    "run it as an administrator (`sudo claude-bedrock setup --managed`), or pass --managed-dir <dir> and ship the file with your MDM",
  ERR_HELPER_INTERNAL: "run again with --debug and report the output",
};

export interface HelperErrorOptions {
  readonly cause?: unknown;
  /** The caller may try the next source of credentials (e.g. a browser sign-in). */
  readonly recoverable?: boolean;
}

export class HelperError extends Error {
  readonly code: HelperErrorCode;
  readonly recoverable: boolean;
  constructor(code: HelperErrorCode, message: string, options: HelperErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HelperError";
    this.code = code;
    this.recoverable = options.recoverable ?? false;
  }

  /** Fix text for this error's code. */
  get fix(): string {
    return FIXES[this.code];
  }

  /** The one line the user sees: what happened, what to do, and the code to search for. */
  toLine(): string {
    const msg = this.message.replace(/\s+/g, " ").trim().replace(/\.$/, "");
    return `claude-bedrock: ${msg}. Fix: ${this.fix}. [${this.code}]`;
  }
}

export const isHelperError = (e: unknown): e is HelperError => e instanceof HelperError;

/** Wraps anything unexpected so the user still gets one line with a code. */
export function toHelperError(e: unknown): HelperError {
  if (e instanceof HelperError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new HelperError("ERR_HELPER_INTERNAL", `unexpected failure: ${message}`, { cause: e });
}
