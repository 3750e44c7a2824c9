/**
 * The helper's code beyond the warm path travels inside the bundle as gzipped, base64-encoded text in a
 * trailing comment (see `entry.ts` and scripts/build.mjs): the engine skips a comment far faster than it
 * parses the code. These find and unpack it. No imports: the entry bundles this module.
 */

/** Built from pieces so that this module's own text never contains the marker it searches for. */
export const EMBED_START = ["/*__CCB_HEAVY", "_GZIP_BASE64__:"].join("");
export const EMBED_END = [":__CCB_HEAVY", "_END__*/"].join("");

/** Finds and unpacks the embedded code in `text` (the bundle), or undefined. */
export function extractEmbedded(text: string, gunzip: (b: Buffer) => Buffer): string | undefined {
  const start = text.lastIndexOf(EMBED_START);
  if (start < 0) return undefined;
  const end = text.indexOf(EMBED_END, start);
  if (end < 0) return undefined;
  return gunzip(Buffer.from(text.slice(start + EMBED_START.length, end), "base64")).toString("utf8");
}

/**
 * The same from raw bytes (a single executable of ~100 MB): searched as bytes, without decoding the
 * whole file to a string first.
 */
export function extractEmbeddedBytes(bytes: Buffer, gunzip: (b: Buffer) => Buffer): string | undefined {
  const start = bytes.lastIndexOf(EMBED_START, undefined, "latin1");
  if (start < 0) return undefined;
  const end = bytes.indexOf(EMBED_END, start, "latin1");
  if (end < 0) return undefined;
  return gunzip(Buffer.from(bytes.subarray(start + EMBED_START.length, end).toString("latin1"), "base64")).toString("utf8");
}
