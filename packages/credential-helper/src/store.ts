/**
 * Private files: directories 0700, files 0600, written atomically (temp file + rename) so a crash or a
 * concurrent reader never sees half a file. A file that does not parse is treated as absent with one
 * warning, never a crash: the helper can always get new credentials, and the user loses nothing.
 */
import type { Deps } from "./io.js";
import { HelperError } from "./errors.js";
import { assertPrivatePath } from "./ownership.js";
import { dirname } from "./paths.js";

type StoreDeps = Pick<Deps, "fs" | "env" | "platform" | "homedir" | "pid" | "now" | "log" | "uid">;

const UNWRITABLE = new Set(["EROFS", "EACCES", "EPERM", "ENOTDIR", "ENOSPC", "EDQUOT", "EEXIST", "EISDIR"]);

export function unwritable(path: string, e: unknown): HelperError {
  const code = (e as NodeJS.ErrnoException)?.code ?? "unknown";
  return new HelperError("ERR_CACHE_UNWRITABLE", `cannot write ${path} (${code})`, { cause: e });
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

export async function ensurePrivateDir(d: StoreDeps, dir: string): Promise<void> {
  try {
    await d.fs.mkdir(dir, { recursive: true, mode: 0o700 });
    if (d.platform !== "win32") {
      let st = await d.fs.stat(dir);
      // Our own directory with loose bits is tightened; one that is not ours is refused below.
      if ((st.mode & 0o077) !== 0 && (d.uid === undefined || st.uid === d.uid)) {
        await d.fs.chmod(dir, 0o700);
        st = { ...st, mode: st.mode & ~0o077, isDirectory: () => true };
      }
      await assertPrivatePath(d, dir, st);
    }
  } catch (e) {
    if (e instanceof HelperError) throw e;
    throw unwritable(dir, e);
  }
}

/** Writes `text` to `file` with mode 0600 via a temp file in the same directory and a rename. */
export async function writePrivateFile(d: StoreDeps, file: string, text: string): Promise<void> {
  await ensurePrivateDir(d, dirname(d, file));
  const tmp = `${file}.${d.pid}.${d.now()}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    await d.fs.writeFile(tmp, text, { mode: 0o600, flag: "wx", encoding: "utf8" });
    await d.fs.rename(tmp, file);
  } catch (e) {
    await d.fs.unlink(tmp).catch(() => undefined);
    if (UNWRITABLE.has((e as NodeJS.ErrnoException)?.code ?? "")) throw unwritable(file, e);
    throw e;
  }
}

export async function writePrivateJson(d: StoreDeps, file: string, value: unknown): Promise<void> {
  await writePrivateFile(d, file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads a file; undefined when it does not exist. */
export async function readText(d: Pick<Deps, "fs">, file: string): Promise<string | undefined> {
  try {
    return await d.fs.readFile(file, "utf8");
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/**
 * Reads a file under the helper home after checking that it and its directories are the user's own and
 * not writable by others (ownership.ts): one `stat` before the read. Missing → undefined.
 */
export async function readPrivateText(
  d: Pick<Deps, "fs" | "env" | "platform" | "homedir" | "uid">,
  file: string,
): Promise<string | undefined> {
  let st;
  try {
    st = await d.fs.stat(file);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
  await assertPrivatePath(d, file, st);
  return readText(d, file);
}

/**
 * Reads and validates a JSON cache file. Missing → undefined. Unreadable, not JSON or not the expected
 * shape → undefined plus one warning naming the file, so the caller falls through to the next source.
 */
export async function readJson<T>(d: StoreDeps, file: string, isValid: (v: unknown) => v is T): Promise<T | undefined> {
  let text: string | undefined;
  try {
    text = await readPrivateText(d, file);
  } catch (e) {
    // A file another user could have written is an error, never a silent fallback.
    if (e instanceof HelperError) throw e;
    d.log.warn(`ignoring unreadable cache file ${file} (${(e as NodeJS.ErrnoException).code ?? "error"})`);
    return undefined;
  }
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    d.log.warn(`ignoring corrupt cache file ${file}; it will be replaced`);
    return undefined;
  }
  if (!isValid(value)) {
    d.log.warn(`ignoring cache file ${file} with an unexpected shape; it will be replaced`);
    return undefined;
  }
  return value;
}

export async function removeFile(d: Pick<Deps, "fs">, file: string): Promise<boolean> {
  try {
    await d.fs.unlink(file);
    return true;
  } catch (e) {
    if (isMissing(e)) return false;
    throw e;
  }
}
