/**
 * Lazy access to the heavy libraries (openid-client, jose, the AWS SDK clients).
 *
 * In the bundle they are not JavaScript the engine has to read on every start: the build compiles
 * `heavy.ts` separately, gzips it and appends it, base64-encoded, inside a comment at the end of
 * `dist/claude-bedrock.cjs`. A warm `credential-process` skips over that comment; the first call that
 * needs a library reads the bundle file (or, in a single executable, the executable) once, unpacks
 * the code and evaluates it. Unbundled (tests, tsx), these are plain dynamic imports.
 */
type Heavy = typeof import("./heavy.js");

declare const __CCB_HEAVY_EMBEDDED__: boolean | undefined;

/** Built from pieces so that this module's own text never contains the marker it searches for. */
const START = ["/*__CCB_HEAVY", "_GZIP_BASE64__:"].join("");
const END = [":__CCB_HEAVY", "_END__*/"].join("");

let heavy: Heavy | undefined;

/** Finds and unpacks the embedded code in `text` (the bundle or executable), or undefined. */
export function extractEmbedded(text: string, gunzip: (b: Buffer) => Buffer): string | undefined {
  const start = text.lastIndexOf(START);
  if (start < 0) return undefined;
  const end = text.indexOf(END, start);
  if (end < 0) return undefined;
  return gunzip(Buffer.from(text.slice(start + START.length, end), "base64")).toString("utf8");
}

function fromBundle(): Heavy | undefined {
  if (typeof __CCB_HEAVY_EMBEDDED__ !== "boolean") return undefined;
  if (heavy) return heavy;
  // Synchronous on purpose: this runs inside the bundle, where these are CommonJS builtins.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require("node:fs") as typeof import("node:fs");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlib = require("node:zlib") as typeof import("node:zlib");
  const sources: Array<() => string | undefined> = [
    // A single executable may carry the unpacked code as the asset "heavy.cjs" (fastest).
    () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sea = require("node:sea") as { isSea(): boolean; getAsset(key: string, encoding: string): string };
      return sea.isSea() ? sea.getAsset("heavy.cjs", "utf8") : undefined;
    },
    () => extractEmbedded(fs.readFileSync(__filename, "latin1"), (b) => zlib.gunzipSync(b)),
    // Single executable without the asset: the script text, marker included, is inside the binary.
    () => extractEmbedded(fs.readFileSync(process.execPath, "latin1"), (b) => zlib.gunzipSync(b)),
  ];
  for (const source of sources) {
    let code: string | undefined;
    try {
      code = source();
    } catch {
      continue;
    }
    if (code === undefined) continue;
    const mod = { exports: {} as Heavy };
    new Function("module", "exports", "require", code)(mod, mod.exports, require);
    heavy = mod.exports;
    return heavy;
  }
  throw new Error(`the bundled libraries are missing from ${__filename}; reinstall claude-bedrock`);
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

/** The AWS SDK's SigV4 signer and SHA-256 (IAM-authorised calls of IAM Identity Center stages). */
export async function sigv4(): Promise<{ SignatureV4: Heavy["sigv4"]["SignatureV4"]; Sha256: Heavy["checksum"]["Sha256"] }> {
  const b = fromBundle();
  if (b) return { SignatureV4: b.sigv4.SignatureV4, Sha256: b.checksum.Sha256 };
  const [{ SignatureV4 }, { Sha256 }] = await Promise.all([import("@smithy/signature-v4"), import("@smithy/core/checksum")]);
  return { SignatureV4, Sha256 };
}
