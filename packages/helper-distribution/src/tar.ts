/**
 * A deterministic `.tgz` writer (and a reader for verification and for unpacking Node distributions).
 *
 * npm accepts any ustar archive whose entries live under `package/`. Writing it ourselves, instead of
 * `npm pack`, pins every byte that would otherwise vary between machines and runs: entries sorted by
 * path, one fixed mtime (npm's own 1985-10-26 convention), uid/gid 0 with empty owner names, modes
 * 0644/0755 only, no directory entries, and a gzip header with mtime 0 and a fixed OS byte.
 *
 * Why not node-tar (`tar` on npm, what npm's own pacote packs with, `portable` + a fixed `mtime`): it
 * packs paths read from a directory, while these entries are built in memory (the generated
 * package.json, the embedded stage settings, the README with the stage's values). Using it means writing
 * a staging tree first, and then the archive's modes come from that tree's `stat`: `portable` only
 * clears group/other write bits, so the modes follow the umask, and on Windows no file has an executable
 * bit (pacote forces it back with a `filter` that edits `stat.mode`). It also adds entries in the order
 * given, without sorting. Each of those is a workaround to get back to what the ~100 lines below
 * guarantee directly, and it would put a new dependency on the release path. The reader stays either
 * way: it unpacks Node distributions for the single executables and checks what was published.
 */
import { gunzipSync, gzipSync } from "node:zlib";

/** 1985-10-26T08:15:00Z, the mtime npm itself writes into packed tarballs. */
export const FIXED_MTIME_SECONDS = 499162500;

export interface TarEntry {
  /** Path inside the archive, `/`-separated, e.g. `package/package.json`. */
  readonly path: string;
  readonly data: Buffer;
  /** Executable files get 0755, everything else 0644. */
  readonly executable?: boolean;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width includes the trailing NUL
  const s = value.toString(8);
  if (s.length > width - 1) throw new Error(`tar: value ${value} does not fit a ${width}-byte octal field`);
  return s.padStart(width - 1, "0") + "\0";
}

function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  // ustar: prefix (155) + "/" + name (100)
  const cut = path.lastIndexOf("/", 155);
  const prefix = path.slice(0, cut);
  const name = path.slice(cut + 1);
  if (cut <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name) > 100)
    throw new Error(`tar: path too long for ustar: ${path}`);
  return { name, prefix };
}

function header(entry: TarEntry): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { name, prefix } = splitName(entry.path);
  h.write(name, 0, 100, "utf8");
  h.write(octal(entry.executable ? 0o755 : 0o644, 8), 100, 8, "ascii");
  h.write(octal(0, 8), 108, 8, "ascii"); // uid
  h.write(octal(0, 8), 116, 8, "ascii"); // gid
  h.write(octal(entry.data.length, 12), 124, 12, "ascii");
  h.write(octal(FIXED_MTIME_SECONDS, 12), 136, 12, "ascii");
  h.fill(0x20, 148, 156); // checksum counted as spaces
  h.write("0", 156, 1, "ascii"); // regular file
  h.write("ustar\0", 257, 6, "ascii");
  h.write("00", 263, 2, "ascii");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + " ", 148, 8, "ascii");
  return h;
}

/** The uncompressed archive: entries sorted by path, two zero blocks at the end. */
export function tarBytes(entries: readonly TarEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seen = new Set<string>();
  const parts: Buffer[] = [];
  for (const e of sorted) {
    if (e.path.startsWith("/") || e.path.split("/").includes("..")) throw new Error(`tar: unsafe path ${e.path}`);
    if (seen.has(e.path)) throw new Error(`tar: duplicate path ${e.path}`);
    seen.add(e.path);
    parts.push(header(e), e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

/** gzip with a pinned header: mtime 0 (zlib's default) and OS byte 3 (Unix) on every platform. */
export function gzipDeterministic(data: Buffer): Buffer {
  const gz = gzipSync(data, { level: 9 });
  gz[9] = 3;
  return gz;
}

export function tgzBytes(entries: readonly TarEntry[]): Buffer {
  return gzipDeterministic(tarBytes(entries));
}

export interface ReadEntry {
  readonly path: string;
  readonly mode: number;
  readonly mtime: number;
  readonly uid: number;
  readonly gid: number;
  readonly type: string;
  readonly data: Buffer;
}

const field = (h: Buffer, start: number, len: number) =>
  h
    .subarray(start, start + len)
    .toString("utf8")
    .replace(/\0.*$/s, "");
const num = (h: Buffer, start: number, len: number) => parseInt(field(h, start, len).trim() || "0", 8);

/** Reads a (gzipped) tar archive; handles the ustar prefix and pax/GNU long names that npm's own tarballs may use. */
export function readTar(archive: Buffer): ReadEntry[] {
  const data = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const out: ReadEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= data.length) {
    const h = data.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) break;
    const size = num(h, 124, 12);
    const type = String.fromCharCode(h[156] || 0x30);
    const body = data.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") {
      const m = /\d+ path=([^\n]+)\n/.exec(body.toString("utf8"));
      if (m) longName = m[1];
      continue;
    }
    if (type === "L") {
      longName = body.toString("utf8").replace(/\0.*$/s, "");
      continue;
    }
    if (type === "g") continue;
    const prefix = field(h, 345, 155);
    const path = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    longName = undefined;
    out.push({
      path,
      mode: num(h, 100, 8),
      uid: num(h, 108, 8),
      gid: num(h, 116, 8),
      mtime: num(h, 136, 12),
      type,
      data: Buffer.from(body),
    });
  }
  return out;
}
