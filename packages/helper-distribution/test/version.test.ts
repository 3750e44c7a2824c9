import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { helperPackageVersion } from "../src/helper-bundle";
import { readTar } from "../src/tar";
import { buildPilotRelease } from "./harness/release";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "ccb-version-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("release version", () => {
  it("builds a release of another version than the helper's package (a helper-v<semver> tag) that reports that version", async () => {
    const version = "9.8.7-rc.1";
    expect(helperPackageVersion()).not.toBe(version);
    const out = path.join(root, "release");
    const m = await buildPilotRelease(root, out, { targets: ["npm"], version });
    expect(m.version).toBe(version);
    const entries = readTar(fs.readFileSync(path.join(out, `example-claude-bedrock-${version}.tgz`)));
    expect(JSON.parse(entries.find((e) => e.path === "package/package.json")!.data.toString()).version).toBe(version);
    const bundle = path.join(root, "bundle.cjs");
    fs.writeFileSync(bundle, entries.find((e) => e.path === "package/bin/claude-bedrock.cjs")!.data);
    fs.writeFileSync(path.join(root, "bundle.main.cjs"), entries.find((e) => e.path === "package/bin/claude-bedrock.main.cjs")!.data);
    expect(execFileSync(process.execPath, [bundle, "--version"], { encoding: "utf8" })).toBe(`claude-bedrock ${version}\n`);
    // The shadow package used for the build is gone.
    const shadow = path.join(__dirname, "..", ".shadow");
    expect(fs.existsSync(shadow) ? fs.readdirSync(shadow) : []).toEqual([]);
  }, 60_000);

  it("refuses a version npm could not tell apart", async () => {
    await expect(buildPilotRelease(root, path.join(root, "x"), { targets: ["npm"], version: "1.0.0+build.7" })).rejects.toThrow(
      /not a semantic version/,
    );
  });
});
