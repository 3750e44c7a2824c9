/**
 * The two layouts of the built helper: split (the npm package: a small entry and `<name>.main.cjs` beside
 * it, what the other end-to-end tests run) and single (one file, the rest in a trailing comment, which
 * the executables are built from). Both must run the full CLI; the split entry must stay small.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BUNDLE, HELPER_NODE } from "./harness/helper.js";

const run = promisify(execFile);
const MARKER = "/*__CCB_HEAVY_GZIP_BASE64__:";
const dir = mkdtempSync(join(tmpdir(), "ccb-layout-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const version = async (file: string) =>
  (await run(HELPER_NODE, [file, "--version"], { env: { PATH: process.env.PATH ?? "", HOME: dir } })).stdout;

describe("bundle layouts", () => {
  it("split: the entry is small and carries no packed code; the CLI comes from the file beside it", async () => {
    expect(statSync(BUNDLE).size).toBeLessThan(64 * 1024);
    expect(readFileSync(BUNDLE, "utf8")).not.toContain(MARKER);
    expect(existsSync(join(dirname(BUNDLE), "claude-bedrock.main.cjs"))).toBe(true);
    expect(await version(BUNDLE)).toMatch(/^claude-bedrock \d+\.\d+\.\d+/);
    // The entry alone cannot run the CLI and says so (it looks beside itself, in itself, then in node).
    const alone = join(dir, "alone", "claude-bedrock.cjs");
    mkdirSync(dirname(alone));
    copyFileSync(BUNDLE, alone);
    const e = await version(alone).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(e?.code).toBe(70);
    expect(e?.stderr).toContain("the helper's code is missing");
  });

  it("single: one file with the packed code runs the CLI, and a stale split file beside it is removed", async () => {
    const { build } = await import("../../scripts/build.mjs");
    const out = join(dir, "single", "claude-bedrock.cjs");
    await build({ outfile: out, split: true });
    expect(existsSync(join(dirname(out), "claude-bedrock.main.cjs"))).toBe(true);
    await build({ outfile: out });
    expect(existsSync(join(dirname(out), "claude-bedrock.main.cjs"))).toBe(false);
    expect(readFileSync(out, "utf8")).toContain(MARKER);
    expect(await version(out)).toBe(await version(BUNDLE));
  }, 120_000);
});
