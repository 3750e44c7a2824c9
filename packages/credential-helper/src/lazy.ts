/**
 * Lazy access to the heavy libraries. In the bundle, `__CCB_HEAVY_BUNDLE__` holds `heavy.ts` compiled to
 * CommonJS text and is evaluated on first use (keeping the one-file artifact that single-executable
 * builds need, without paying ~25 ms to parse 650 KB on every warm call). Unbundled (tests, tsx), these
 * are plain dynamic imports.
 */
type Heavy = typeof import("./heavy.js");

declare const __CCB_HEAVY_BUNDLE__: string | undefined;

let heavy: Heavy | undefined;

function fromBundle(): Heavy | undefined {
  if (typeof __CCB_HEAVY_BUNDLE__ !== "string") return undefined;
  if (!heavy) {
    const mod = { exports: {} as Heavy };
    new Function("module", "exports", "require", __CCB_HEAVY_BUNDLE__)(mod, mod.exports, require);
    heavy = mod.exports;
  }
  return heavy;
}

export async function openidClient(): Promise<Heavy["openidClient"]> {
  return fromBundle()?.openidClient ?? import("openid-client");
}

export async function jose(): Promise<Heavy["jose"]> {
  return fromBundle()?.jose ?? import("jose");
}

export async function sts(): Promise<Heavy["sts"]> {
  return fromBundle()?.sts ?? import("@aws-sdk/client-sts");
}

export async function cognito(): Promise<Heavy["cognito"]> {
  return fromBundle()?.cognito ?? import("@aws-sdk/client-cognito-identity");
}
