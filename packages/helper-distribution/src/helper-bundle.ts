/**
 * The helper as one CommonJS file with the stage settings compiled in. Built by the credential helper's
 * own build script (`packages/credential-helper/scripts/build.mjs`, esbuild), so the distribution
 * never drifts from how the helper is bundled and tested; the stage settings go in through its
 * `embedSettingsFile` option (the `__CCB_EMBEDDED_SETTINGS__` constant that `setup` and every command
 * fall back to).
 *
 * The version the bundle reports (`__CCB_VERSION__`) is the helper's package version. A release of another
 * version (a `helper-v<version>` tag, a settings-only re-release) is built from a shadow of the helper
 * package: its build script and a package.json with that version, with the real `src` linked in, so the
 * bundle is made by the same script from the same sources and says the version the registry will list.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { DistributionError } from "./errors";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const HELPER_DIR = path.join(REPO_ROOT, "packages", "credential-helper");

interface HelperBuildModule {
  build(options: { outfile?: string; embedSettingsFile?: string; minify?: boolean }): Promise<string>;
}

/** The helper package's version: what `claude-bedrock --version` prints unless the build overrides it. */
export function helperPackageVersion(helperDir = HELPER_DIR): string {
  return (JSON.parse(readFileSync(path.join(helperDir, "package.json"), "utf8")) as { version: string }).version;
}

export interface HelperBundleOptions {
  /** Canonical stage settings file to compile in. */
  readonly settingsFile: string;
  readonly outfile: string;
  /** Version the bundle reports (`claude-bedrock --version`). */
  readonly version: string;
  readonly helperDir?: string;
  /** Node binary used to smoke-test the bundle. */
  readonly node?: string;
}

export async function buildHelperBundle(o: HelperBundleOptions): Promise<Buffer> {
  const helperDir = o.helperDir ?? HELPER_DIR;
  const script = path.join(helperDir, "scripts", "build.mjs");
  if (!existsSync(script)) {
    throw new DistributionError(
      "ERR_HELPER_BUILD",
      `the credential helper's build script ${script} is missing`,
      "check out the whole repository (packages/credential-helper)",
    );
  }
  const own = helperPackageVersion(helperDir);
  const shadow = o.version === own ? undefined : shadowHelperPackage(helperDir, o.version);
  try {
    const buildScript = shadow ? path.join(shadow, "scripts", "build.mjs") : script;
    let mod: HelperBuildModule;
    try {
      mod = (await import(pathToFileURL(buildScript).href)) as HelperBuildModule;
    } catch (e) {
      throw new DistributionError(
        "ERR_HELPER_BUILD",
        `cannot load ${script} (${(e as Error).message})`,
        "run `npm ci` at the repository root",
        { cause: e },
      );
    }
    try {
      await mod.build({ outfile: o.outfile, embedSettingsFile: o.settingsFile, minify: true });
    } catch (e) {
      throw new DistributionError(
        "ERR_HELPER_BUILD",
        `bundling the credential helper failed: ${(e as Error).message}`,
        "run `npm run build -w packages/credential-helper` to see the esbuild errors",
        { cause: e },
      );
    }
  } finally {
    if (shadow) rmSync(shadow, { recursive: true, force: true });
  }
  // Smoke test: the bundle runs and reports the version the package will carry (doctor and the
  // update notice compare the two, so they must agree).
  let reported: string;
  try {
    reported = execFileSync(o.node ?? process.execPath, [o.outfile, "--version"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "" },
      timeout: 30_000,
    }).trim();
  } catch (e) {
    throw new DistributionError(
      "ERR_HELPER_BUILD",
      `the bundled helper does not start (${(e as Error).message.split("\n")[0]})`,
      "run the bundle with --debug to see why",
      { cause: e },
    );
  }
  if (reported !== `claude-bedrock ${o.version}`) {
    throw new DistributionError(
      "ERR_VERSION",
      `the bundle reports "${reported}" but the package would be version ${o.version}`,
      "the helper's build script no longer takes its version from package.json (__CCB_VERSION__); update src/helper-bundle.ts to match it",
    );
  }
  return readFileSync(o.outfile);
}

/**
 * A throw-away copy of the helper package that differs only in its version: `scripts/` copied, `src` and
 * `node_modules` linked. It lives inside the repository so the build script resolves esbuild and the
 * helper's dependencies exactly as it does in place.
 */
function shadowHelperPackage(helperDir: string, version: string): string {
  const base = path.join(__dirname, "..", ".shadow");
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, "credential-helper-"));
  mkdirSync(path.join(dir, "scripts"));
  copyFileSync(path.join(helperDir, "scripts", "build.mjs"), path.join(dir, "scripts", "build.mjs"));
  const pkg = JSON.parse(readFileSync(path.join(helperDir, "package.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ ...pkg, version }, null, 2));
  symlinkSync(path.join(helperDir, "src"), path.join(dir, "src"), "dir");
  if (existsSync(path.join(helperDir, "node_modules")))
    symlinkSync(path.join(helperDir, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}
