import * as fsp from "node:fs/promises";
import { existsSync, readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, utimesSync } from "node:fs";
import type { Fs } from "./io.js";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock, isStale } from "./lock.js";
import { readJson, writePrivateJson } from "./store.js";
import { failingWrites, T0, testDeps } from "../test/support.js";

describe("lock", () => {
  it("is exclusive, records pid/host/time, and is removed on release", async () => {
    const d = testDeps();
    const file = join(d.homedir, "c", "lock");
    const lock = await acquireLock(d, file, { waitMs: 1000, staleAfterMs: 60_000 });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ pid: d.pid, host: "unit-host", createdAt: T0 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(acquireLock(d, file, { waitMs: 500, staleAfterMs: 60_000, pollMs: 100 })).rejects.toMatchObject({
      code: "ERR_LOCK_TIMEOUT",
    });
    await lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it("waits for a live holder and reports that it waited", async () => {
    const d = testDeps();
    const file = join(d.homedir, "lock");
    writeFileSync(file, JSON.stringify({ pid: 424242, host: "unit-host", createdAt: T0 }));
    let polls = 0;
    const waiting = testDeps({
      homedir: d.homedir,
      sleep: async () => {
        if (++polls === 3) (await import("node:fs")).unlinkSync(file);
      },
    });
    const lock = await acquireLock(waiting, file, { waitMs: 10_000, staleAfterMs: 60_000 });
    expect(lock.waited).toBe(true);
    expect(polls).toBe(3);
    await lock.release();
  });

  it("breaks a lock whose process is gone, or that is older than the stale limit", async () => {
    const d = testDeps({ isProcessAlive: (pid) => pid !== 999 });
    const file = join(d.homedir, "lock");
    writeFileSync(file, JSON.stringify({ pid: 999, host: "unit-host", createdAt: T0 }));
    await (await acquireLock(d, file, { waitMs: 0, staleAfterMs: 60_000 })).release();
    writeFileSync(file, JSON.stringify({ pid: 1, host: "other-host", createdAt: T0 - 120_000 }));
    await (await acquireLock(d, file, { waitMs: 0, staleAfterMs: 60_000 })).release();
  });

  it("lets exactly one of two concurrent breakers of a dead holder's lock hold it", async () => {
    const a0 = testDeps();
    const file = join(a0.homedir, "lock");
    const stale = JSON.stringify({ pid: 999, host: "unit-host", createdAt: T0 });
    writeFileSync(file, stale);
    const alive = (pid: number) => pid !== 999;
    // B is slow between deciding to remove the stale lock and removing it: by then A may have taken a new one.
    const pause = async () => {
      for (let i = 0; i < 30 && existsSync(file) && readFileSync(file, "utf8") === stale; i++) await new Promise((r) => setTimeout(r, 10));
    };
    const slowUnlink: Fs = {
      ...(fsp as unknown as Fs),
      unlink: async (p) => {
        if (p === file) await pause();
        return fsp.unlink(p);
      },
      rename: async (from, to) => {
        if (from === file) await pause();
        return fsp.rename(from, to);
      },
    };
    const b = testDeps({ homedir: a0.homedir, pid: 2, isProcessAlive: alive, fs: slowUnlink });
    const a = testDeps({ homedir: a0.homedir, pid: 1, isProcessAlive: alive });
    const opts = { waitMs: 1000, staleAfterMs: 60_000, pollMs: 100 };
    const pb = acquireLock(b, file, opts);
    await new Promise((r) => setTimeout(r, 20));
    const results = await Promise.allSettled([acquireLock(a, file, opts), pb]);
    const holders = results.filter((r) => r.status === "fulfilled");
    expect(holders).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "ERR_LOCK_TIMEOUT" } });
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(results[0]!.status === "fulfilled" ? 1 : 2);
    expect(existsSync(`${file}.break`)).toBe(false);
  });

  it("a breaker paused past the guard's staleness does not take away the lock another process took meanwhile", async () => {
    const file = join(testDeps().homedir, "lock");
    const stale = JSON.stringify({ pid: 999, host: "unit-host", createdAt: Date.now() });
    writeFileSync(file, stale);
    let aHolds!: () => void;
    const aHeld = new Promise<void>((r) => (aHolds = r));
    // B stops right before its destructive step and resumes only once A holds the lock (the reviewer's repro).
    const stuck = async (p: string) => {
      if (p === file) await Promise.race([aHeld, new Promise((r) => setTimeout(r, 3000))]);
    };
    const bFs: Fs = {
      ...(fsp as unknown as Fs),
      unlink: async (p) => (await stuck(p), fsp.unlink(p)),
      rename: async (from, to) => (await stuck(from), fsp.rename(from, to)),
    };
    const real = {
      now: () => Date.now(),
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      isProcessAlive: (pid: number) => pid !== 999,
    };
    const dir = join(file, "..");
    const a = testDeps({ homedir: dir, pid: 1, ...real });
    const b = testDeps({ homedir: dir, pid: 2, ...real, fs: bFs });
    const opts = { waitMs: 1500, staleAfterMs: 60_000, pollMs: 20, breakStaleAfterMs: 200 };
    const pb = acquireLock(b, file, opts);
    await new Promise((r) => setTimeout(r, 30));
    const la = await acquireLock(a, file, opts);
    aHolds();
    await expect(pb).rejects.toMatchObject({ code: "ERR_LOCK_TIMEOUT" });
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(1);
    expect(readdirSync(dir).filter((f) => f.startsWith("lock"))).toEqual(["lock"]);
    await la.release();
    expect(existsSync(file)).toBe(false);
  });

  it("removes a lock.break abandoned by a breaker that died, then breaks the stale lock", async () => {
    const d = testDeps({ isProcessAlive: (pid) => pid !== 999 });
    const file = join(d.homedir, "lock");
    writeFileSync(file, JSON.stringify({ pid: 999, host: "unit-host", createdAt: T0 }));
    writeFileSync(`${file}.break`, "{}");
    const old = (T0 - 60_000) / 1000;
    utimesSync(`${file}.break`, old, old);
    const lock = await acquireLock(d, file, { waitMs: 0, staleAfterMs: 60_000 });
    expect(existsSync(`${file}.break`)).toBe(false);
    await lock.release();
    // A fresh guard means another breaker is at work: wait for it rather than break alongside it.
    writeFileSync(file, JSON.stringify({ pid: 999, host: "unit-host", createdAt: T0 }));
    writeFileSync(`${file}.break`, "{}");
    const now = T0 / 1000;
    utimesSync(`${file}.break`, now, now);
    await expect(acquireLock(d, file, { waitMs: 0, staleAfterMs: 60_000 })).rejects.toMatchObject({ code: "ERR_LOCK_TIMEOUT" });
  });

  it("does not judge a lock from another host by its pid", () => {
    const d = testDeps({ isProcessAlive: () => false });
    expect(isStale(d, { pid: 1, host: "other-host", createdAt: T0 }, T0, 60_000)).toBe(false);
    expect(isStale(d, { pid: 1, host: "unit-host", createdAt: T0 }, T0, 60_000)).toBe(true);
    expect(isStale(d, undefined, T0 - 1000, 60_000)).toBe(false);
    expect(isStale(d, undefined, T0 - 3000, 60_000)).toBe(true);
  });

  it("maps a read-only home to ERR_CACHE_UNWRITABLE", async () => {
    const d = testDeps({ fs: failingWrites("EROFS") });
    await expect(acquireLock(d, join(d.homedir, "x", "lock"), { waitMs: 0, staleAfterMs: 1 })).rejects.toMatchObject({
      code: "ERR_CACHE_UNWRITABLE",
      message: expect.stringContaining("EROFS"),
    });
  });
});

describe("private store", () => {
  it("writes atomically with 0600 files in 0700 directories and leaves no temp files", async () => {
    const d = testDeps();
    const dir = join(d.homedir, "cache");
    mkdirSync(dir, { mode: 0o755 });
    await writePrivateJson(d, join(dir, "a.json"), { a: 1 });
    await writePrivateJson(d, join(dir, "a.json"), { a: 2 });
    expect(readdirSync(dir)).toEqual(["a.json"]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "a.json")).mode & 0o777).toBe(0o600);
    expect(await readJson(d, join(dir, "a.json"), (_v): _v is { a: number } => true)).toEqual({ a: 2 });
  });

  it("treats corrupt or wrongly shaped files as absent, with one warning each", async () => {
    const d = testDeps();
    writeFileSync(join(d.homedir, "bad.json"), "{");
    writeFileSync(join(d.homedir, "shape.json"), "[]");
    const isObj = (v: unknown): v is object => typeof v === "object" && v !== null && !Array.isArray(v);
    expect(await readJson(d, join(d.homedir, "bad.json"), isObj)).toBeUndefined();
    expect(await readJson(d, join(d.homedir, "shape.json"), isObj)).toBeUndefined();
    expect(await readJson(d, join(d.homedir, "missing.json"), isObj)).toBeUndefined();
    expect(d.err).toHaveLength(2);
  });
});
