/**
 * A cross-process lock around "get new credentials": the first `credential-process` signs in and calls
 * STS, the others wait and then read its result from the cache. The lock file is created with O_EXCL
 * (`wx`) and holds `{pid, host, createdAt}`; a lock whose process is gone (same host) or that is older
 * than `staleAfterMs` is broken, one breaker at a time (see `breakStale`). The lock is held through the callback server's bind and the whole
 * sign-in, so there is no window between "I own the sign-in" and "I own the port".
 */
import type { Deps } from "./io.js";
import { HelperError } from "./errors.js";
import { ensurePrivateDir, readText, removeFile, unwritable } from "./store.js";
import { dirname } from "./paths.js";

type LockDeps = Pick<Deps, "fs" | "env" | "platform" | "homedir" | "pid" | "hostname" | "now" | "sleep" | "isProcessAlive" | "log">;

export interface LockOptions {
  /** How long to wait for another holder before giving up. */
  readonly waitMs: number;
  /** A lock older than this is considered abandoned whatever its pid says. */
  readonly staleAfterMs: number;
  readonly pollMs?: number;
  /** A `lock.break` guard older than this (by mtime) is abandoned; default BREAK_STALE_MS. */
  readonly breakStaleAfterMs?: number;
}

interface LockContent {
  pid: number;
  host: string;
  createdAt: number;
}

export interface HeldLock {
  readonly file: string;
  /** True when this process had to wait for another holder (so the cache is worth re-reading). */
  readonly waited: boolean;
  release(): Promise<void>;
}

function parse(text: string | undefined): LockContent | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as LockContent;
    if (typeof v.pid === "number" && typeof v.host === "string" && typeof v.createdAt === "number") return v;
  } catch {
    /* a half-written or foreign lock file: decided by its age below */
  }
  return undefined;
}

export function isStale(
  d: Pick<Deps, "now" | "hostname" | "isProcessAlive">,
  lock: LockContent | undefined,
  mtimeMs: number,
  staleAfterMs: number,
): boolean {
  const created = lock?.createdAt ?? mtimeMs;
  if (d.now() - created > staleAfterMs) return true;
  if (lock && lock.host === d.hostname && !d.isProcessAlive(lock.pid)) return true;
  // Unparsable content: give the writer a moment to finish writing before calling it abandoned.
  return lock === undefined && d.now() - mtimeMs > 2_000;
}

export async function acquireLock(d: LockDeps, file: string, options: LockOptions): Promise<HeldLock> {
  await ensurePrivateDir(d, dirname(d, file));
  const deadline = d.now() + options.waitMs;
  const poll = options.pollMs ?? 100;
  let waited = false;
  const content = (): string => JSON.stringify({ pid: d.pid, host: d.hostname, createdAt: d.now() });
  for (;;) {
    try {
      await d.fs.writeFile(file, content(), { mode: 0o600, flag: "wx", encoding: "utf8" });
      d.log.debug("lock", "acquired", { waited });
      let released = false;
      return {
        file,
        waited,
        async release() {
          if (released) return;
          released = true;
          // Only remove the lock if it is still ours (it may have been broken as stale).
          const now = parse(await readText(d, file).catch(() => undefined));
          if (now?.pid === d.pid && now.host === d.hostname) await removeFile(d, file).catch(() => undefined);
        },
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") throw unwritable(file, e);
    }
    const text = await readText(d, file).catch(() => undefined);
    const st = await d.fs.stat(file).catch(() => undefined);
    if (st === undefined) continue; // released between our attempt and our look: try again at once
    const holder = parse(text);
    if (isStale(d, holder, st.mtimeMs, options.staleAfterMs)) {
      if (!(await breakStale(d, file, text, holder, options.breakStaleAfterMs ?? BREAK_STALE_MS))) {
        // Another process is breaking it right now: give it a moment, then look again.
        if (d.now() >= deadline) throw timeout(options, holder, file);
        waited = true;
        await d.sleep(poll);
      }
      continue;
    }
    if (d.now() >= deadline) throw timeout(options, holder, file);
    waited = true;
    await d.sleep(poll);
  }
}

function timeout(options: LockOptions, holder: LockContent | undefined, file: string): HelperError {
  return new HelperError(
    "ERR_LOCK_TIMEOUT",
    `waited ${Math.round(options.waitMs / 1000)} s for another sign-in (process ${holder?.pid ?? "?"}, lock ${file})`,
  );
}

/** A `lock.break` older than this was left by a breaker that died between taking and removing it. */
export const BREAK_STALE_MS = 5_000;

/**
 * Breaking a stale lock is "look, compare, remove": without a guard, two processes can both decide the
 * lock is stale, one removes it and takes a new one, and the other then removes *that*. So breaking is
 * serialised by `<lock>.break` (O_EXCL), held for a few file operations only; one older than
 * `breakStaleMs` (by mtime) was left by a breaker that died and is removed. Under the guard the lock is
 * not unlinked blindly: it is renamed aside (atomic), and the moved file is checked. If it is not the
 * stale content seen before (this process was paused past the guard's staleness and someone took a new
 * lock meanwhile), it is put back with link(), which never replaces a lock yet another process took.
 * Returns false when another process holds the guard, or the lock turned out to be live (the caller
 * waits and looks again).
 */
async function breakStale(
  d: LockDeps,
  file: string,
  staleText: string | undefined,
  holder: LockContent | undefined,
  breakStaleMs: number,
): Promise<boolean> {
  const guard = `${file}.break`;
  try {
    await d.fs.writeFile(guard, JSON.stringify({ pid: d.pid, host: d.hostname, createdAt: d.now() }), {
      mode: 0o600,
      flag: "wx",
      encoding: "utf8",
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw unwritable(guard, e);
    const st = await d.fs.stat(guard).catch(() => undefined);
    if (st === undefined) return true; // released meanwhile: look again at once
    if (d.now() - st.mtimeMs > breakStaleMs) {
      d.log.debug("lock", "removing abandoned lock.break");
      await removeFile(d, guard).catch(() => undefined);
      return true;
    }
    return false;
  }
  let putBack = false;
  try {
    const aside = `${file}.${d.pid}.${d.now()}.${Math.random().toString(36).slice(2, 8)}.stale`;
    try {
      await d.fs.rename(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return true; // already gone
      throw unwritable(file, e);
    }
    const moved = await readText(d, aside).catch(() => undefined);
    if (moved === staleText) {
      d.log.debug("lock", "broke stale lock", { pid: holder?.pid });
    } else {
      putBack = true;
      d.log.debug("lock", "moved a lock that is not the stale one; putting it back");
      try {
        await d.fs.link(aside, file);
      } catch (e) {
        // EEXIST: yet another process holds the lock now, so this one is lost either way. Without hard
        // links (some file systems), a rename is the best there is.
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") await d.fs.rename(aside, file).catch(() => undefined);
      }
    }
    await removeFile(d, aside).catch(() => undefined);
  } finally {
    // Only our own guard: if we were paused long enough for it to count as abandoned, it may be another's now.
    const g = parse(await readText(d, guard).catch(() => undefined));
    if (g?.pid === d.pid && g.host === d.hostname) await removeFile(d, guard).catch(() => undefined);
  }
  // A lock put back is someone's live lock: the caller waits for it like any other.
  return !putBack;
}
