/**
 * The helper's build (packages/credential-helper/scripts/build.mjs) makes one self-contained file: the
 * warm-path entry as code and the rest of the helper gzipped in a trailing comment. The executables are
 * built from that file. The npm package ships it split instead, as the helper's own `split` build does:
 * `bin/claude-bedrock.cjs` (the entry alone) and `bin/claude-bedrock.main.cjs` (the rest as code), so a
 * warm `credential-process` reads and parses ~26 KB rather than ~600 KB (the entry loads the file beside
 * it first; see the helper's src/embedded.ts).
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { DistributionError } from "./errors";

export const HEAVY_START = "/*__CCB_HEAVY_GZIP_BASE64__:";
export const HEAVY_END = ":__CCB_HEAVY_END__*/";

export interface BundleParts {
  /** The entry: the bundle without its trailing comment. */
  readonly entry: Buffer;
  /** The rest of the helper, unpacked. */
  readonly main: Buffer;
}

/** The single-file bundle as the entry and the rest of the helper. */
export function splitBundle(bundle: Buffer): BundleParts {
  const text = bundle.toString("utf8");
  const start = text.lastIndexOf(HEAVY_START);
  const end = start < 0 ? -1 : text.indexOf(HEAVY_END, start);
  if (end < 0) {
    throw new DistributionError(
      "ERR_HELPER_BUILD",
      "the helper bundle carries no packed code (no trailing __CCB_HEAVY_GZIP_BASE64__ comment)",
      "build it as one file (the helper's build() without `split`)",
    );
  }
  const main = gunzipSync(Buffer.from(text.slice(start + HEAVY_START.length, end), "base64"));
  return { entry: Buffer.from(text.slice(0, start) + text.slice(end + HEAVY_END.length), "utf8"), main };
}

/** The inverse of `splitBundle`: one self-contained file again (for a build from the npm package's files). */
export function joinBundle(parts: BundleParts): Buffer {
  const packed = gzipSync(parts.main, { level: 9 }).toString("base64");
  return Buffer.from(`${parts.entry.toString("utf8")}${HEAVY_START}${packed}${HEAVY_END}`, "utf8");
}
