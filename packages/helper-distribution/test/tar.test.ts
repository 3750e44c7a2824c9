import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FIXED_MTIME_SECONDS, readTar, tarBytes, tgzBytes } from "../src/tar";

describe("deterministic tar", () => {
  it("round-trips entries, sorted, whatever order they were given in", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            name: fc.stringMatching(/^[a-z0-9._-]{1,40}$/).filter((n) => n !== "." && n !== ".."),
            data: fc.uint8Array({ maxLength: 1500 }),
            executable: fc.boolean(),
          }),
          { selector: (e) => e.name, maxLength: 8 },
        ),
        (entries) => {
          const input = entries.map((e) => ({ path: `package/${e.name}`, data: Buffer.from(e.data), executable: e.executable }));
          const a = tgzBytes(input);
          expect(tgzBytes([...input].reverse()).equals(a)).toBe(true);
          const read = readTar(a);
          expect(read.map((r) => r.path)).toEqual(input.map((e) => e.path).sort());
          for (const r of read) {
            const src = input.find((e) => e.path === r.path)!;
            expect(r.data.equals(src.data)).toBe(true);
            expect(r.mode).toBe(src.executable ? 0o755 : 0o644);
            expect(r.mtime).toBe(FIXED_MTIME_SECONDS);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("uses the ustar prefix for long paths", () => {
    const long = `package/${"d".repeat(90)}/${"f".repeat(60)}.txt`;
    expect(readTar(tarBytes([{ path: long, data: Buffer.from("x") }]))[0]!.path).toBe(long);
  });

  it("refuses unsafe and duplicate paths", () => {
    expect(() => tarBytes([{ path: "package/../etc/passwd", data: Buffer.alloc(0) }])).toThrow(/unsafe/);
    expect(() => tarBytes([{ path: "/abs", data: Buffer.alloc(0) }])).toThrow(/unsafe/);
    expect(() =>
      tarBytes([
        { path: "package/a", data: Buffer.alloc(0) },
        { path: "package/a", data: Buffer.alloc(1) },
      ]),
    ).toThrow(/duplicate/);
  });

  it("is read by GNU tar with the same names, modes and mtime", () => {
    const tar = ["/usr/bin/tar", "/bin/tar"].find((p) => fs.existsSync(p));
    if (!tar) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccb-tar-"));
    try {
      fs.writeFileSync(
        path.join(dir, "a.tgz"),
        tgzBytes([
          { path: "package/bin/x.cjs", data: Buffer.from("#!/usr/bin/env node\n"), executable: true },
          { path: "package/package.json", data: Buffer.from("{}") },
        ]),
      );
      const r = spawnSync(tar, ["-tvzf", "a.tgz", "--numeric-owner", "--utc"], { cwd: dir, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^-rwxr-xr-x 0\/0 +20 1985-10-26 08:15 package\/bin\/x\.cjs$/m);
      expect(r.stdout).toMatch(/^-rw-r--r-- 0\/0 +2 1985-10-26 08:15 package\/package\.json$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
