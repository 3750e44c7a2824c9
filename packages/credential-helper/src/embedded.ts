/**
 * The helper's code beyond the warm path travels either as a file beside the entry (the npm package's
 * layout: `claude-bedrock.cjs` + `claude-bedrock.main.cjs`) or, in the single-file bundle the executables
 * are built from, as gzipped, base64-encoded text in a trailing comment (see `entry.ts` and
 * scripts/build.mjs). These find and unpack it. No imports: the entry bundles this module.
 */

/**
 * The file that holds the rest of the helper next to an entry file (`x.cjs` -> `x.main.cjs`), or
 * undefined when the entry is not a `.cjs` file (a single executable, whose neighbours are not ours).
 */
export function mainFileBeside(entryFile: string): string | undefined {
  return entryFile.endsWith(".cjs") ? `${entryFile.slice(0, -".cjs".length)}.main.cjs` : undefined;
}

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

/**
 * The embedded code inside a file too large to read whole (a single executable of ~120 MB): read
 * backwards in chunks, since the injected script sits near the end, until the last start marker is
 * found. Memory stays at a few chunks; `read(position, length)` returns the bytes there.
 */
export function extractEmbeddedFromFile(
  size: number,
  read: (position: number, length: number) => Buffer,
  gunzip: (b: Buffer) => Buffer,
  chunk = 4 << 20,
): string | undefined {
  const overlap = EMBED_START.length + EMBED_END.length;
  let tail = Buffer.alloc(0);
  for (let end = size; end > 0;) {
    const start = Math.max(0, end - chunk);
    const window = Buffer.concat([read(start, end - start), tail]);
    const found = extractEmbeddedBytes(window, gunzip);
    if (found !== undefined) return found;
    // A marker cut by the window's edge: keep this window's head, it completes in the next round.
    // The payload itself may span windows: keep everything from the last end marker on.
    const lastEnd = window.lastIndexOf(EMBED_END, undefined, "latin1");
    tail = lastEnd >= 0 ? window.subarray(0, lastEnd + EMBED_END.length) : window.subarray(0, Math.min(window.length, overlap));
    end = start;
  }
  return undefined;
}
