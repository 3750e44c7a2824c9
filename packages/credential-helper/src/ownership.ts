/**
 * Like ssh with `~/.ssh`: on a shared machine another local user must not be able to plant or swap a
 * file the helper trusts (a cached credential, a token, the stage settings that name the identity
 * provider). Everything under the helper's home (`~/.claude-bedrock`, or `CLAUDE_BEDROCK_HOME`) must be
 * owned by the user who runs the helper and must not be writable by group or others; the home itself
 * too. A path that fails is refused with the `chown`/`chmod` that fixes it, and nothing read from it is
 * ever used or printed.
 *
 * Cost on the warm `credential-process` path: one `stat` per file, and one per directory the first time
 * a `Deps` object meets it (memoised), so no extra reads. `stat`, not `lstat`: what must be the user's is
 * what gets read, the target of a symlink included (a link's own mode bits mean nothing, and a link can
 * only appear in a directory that already passed the check, or was made by the user). Windows has no POSIX owner or mode bits to
 * compare: the checks are skipped there (the profile directory's ACL is what protects it).
 */
import type { Deps } from "./io.js";
import { HelperError } from "./errors.js";
import { dirname, helperHome } from "./paths.js";

export type OwnershipDeps = Pick<Deps, "fs" | "env" | "platform" | "homedir" | "uid">;

export interface OwnedStat {
  readonly mode: number;
  readonly uid: number;
  isDirectory(): boolean;
}

/** Directories already found safe, per `Deps` object: the warm path stats each one once. */
const safeDirs = new WeakMap<object, Set<string>>();

const applies = (d: OwnershipDeps): d is OwnershipDeps & { uid: number } => d.platform !== "win32" && typeof d.uid === "number";

/** Whether `p` is the helper home or lies below it (the only paths these rules cover). */
/** `helperHome` without trailing slashes; the last one is kept, as it is asked for on every check. */
let lastTrim: { readonly from: string; readonly to: string } | undefined;
function trimmedHome(d: OwnershipDeps): string {
  const home = helperHome(d);
  if (lastTrim?.from !== home) lastTrim = { from: home, to: home.replace(/\/+$/, "") };
  return lastTrim.to;
}

function underHome(d: OwnershipDeps, p: string): boolean {
  const home = trimmedHome(d);
  return p === home || p.startsWith(`${home}/`);
}

/** What is wrong with a stat result, as a clause and the command that fixes it; undefined when safe. */
export function unsafeReason(st: OwnedStat, uid: number, p: string): { why: string; fix: string } | undefined {
  const kind = st.isDirectory() ? "directory" : "file";
  if (st.uid !== uid)
    return { why: `the ${kind} is owned by uid ${st.uid}, not by you (uid ${uid})`, fix: `\`sudo chown ${uid} '${p}'\`, or remove it` };
  const writable = st.mode & 0o022;
  if (writable !== 0) {
    const who = writable === 0o022 ? "group and others" : writable === 0o020 ? "its group" : "others";
    return {
      why: `the ${kind} is writable by ${who} (mode ${(st.mode & 0o777).toString(8).padStart(3, "0")})`,
      fix: `\`chmod ${st.isDirectory() ? "700" : "600"} '${p}'\``,
    };
  }
  return undefined;
}

export function unsafe(p: string, reason: { why: string; fix: string }): HelperError {
  return new HelperError(
    "ERR_CACHE_UNSAFE",
    `refusing to use ${p}: ${reason.why}, so another user could have written it; run ${reason.fix}`,
  );
}

/** Throws ERR_CACHE_UNSAFE unless `p` (already stat-ed as `st`) and every directory from the helper home down to it are safe. */
export async function assertPrivatePath(d: OwnershipDeps, p: string, st: OwnedStat): Promise<void> {
  if (!applies(d) || !underHome(d, p)) return;
  const reason = unsafeReason(st, d.uid, p);
  if (reason) throw unsafe(p, reason);
  if (st.isDirectory()) remember(d, p);
  const home = trimmedHome(d);
  for (let dir = p; dir !== home;) {
    const parent = dirname(d, dir);
    if (parent === dir) break;
    dir = parent;
    await assertPrivateDir(d, dir);
  }
}

/** One directory (stat-ed once per `Deps`); a missing one is fine: it has nothing in it to trust. */
export async function assertPrivateDir(d: OwnershipDeps, dir: string): Promise<void> {
  if (!applies(d) || !underHome(d, dir) || safeDirs.get(d)?.has(dir)) return;
  let st: OwnedStat;
  try {
    st = await d.fs.stat(dir);
  } catch {
    return;
  }
  const reason = unsafeReason(st, d.uid, dir);
  if (reason) throw unsafe(dir, reason);
  remember(d, dir);
}

function remember(d: OwnershipDeps, dir: string): void {
  let set = safeDirs.get(d);
  if (!set) safeDirs.set(d, (set = new Set()));
  set.add(dir);
}
