/**
 * The helper as one CommonJS file with the stage settings compiled in. Built by the credential helper's
 * own build script (`packages/credential-helper/scripts/build.mjs`, esbuild), so the distribution
 * never drifts from how the helper is bundled and tested; the stage settings go in through its
 * `embedSettingsFile` option (the `__CCB_EMBEDDED_SETTINGS__` constant that `setup` and every command
 * fall back to).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { DistributionError } from "./errors";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const HELPER_DIR = path.join(REPO_ROOT, "packages", "credential-helper");

interface HelperBuildModule {
  build(options: { outfile?: string; embedSettingsFile?: string; minify?: boolean; version?: string }): Promise<string>;
}

/** The helper package's version: what `claude-bedrock --version` prints unless the build overrides it. */
export function helperPackageVersion(helperDir = HELPER_DIR): string {
  return (JSON.parse(readFileSync(path.join(helperDir, "package.json"), "utf8")) as { version: string }).version;
}

export interface HelperBundleOptions {
  /** Canonical stage settings file to compile in. */
  readonly settingsFile: string;
  readonly outfile: string;
  /** Version the bundle must report; the helper's package version unless its build accepts an override. */
  readonly version: string;
  readonly helperDir?: string;
  /** Node binary used to smoke-test the bundle. */
  readonly node?: string;
}

export async function buildHelperBundle(o: HelperBundleOptions): Promise<Buffer> {
  const helperDir = o.helperDir ?? HELPER_DIR;
  const script = path.join(helperDir, "scripts", "build.mjs");
  if (!existsSync(script)) {
    throw new DistributionError("ERR_HELPER_BUILD", `the credential helper's build script ${script} is missing`, "check out the whole repository (packages/credential-helper)");
  }
  let mod: HelperBuildModule;
  try {
    mod = (await import(pathToFileURL(script).href)) as HelperBuildModule;
  } catch (e) {
    throw new DistributionError("ERR_HELPER_BUILD", `cannot load ${script} (${(e as Error).message})`, "run `npm ci` at the repository root", { cause: e });
  }
  try {
    await mod.build({ outfile: o.outfile, embedSettingsFile: o.settingsFile, minify: true, version: o.version });
  } catch (e) {
    throw new DistributionError("ERR_HELPER_BUILD", `bundling the credential helper failed: ${(e as Error).message}`, "run `npm run build -w packages/credential-helper` to see the esbuild errors", { cause: e });
  }
  // Smoke test: the bundle runs and reports the version the package will carry (doctor and the
  // update notice compare the two, so they must agree).
  let reported: string;
  try {
    reported = execFileSync(o.node ?? process.execPath, [o.outfile, "--version"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" }, timeout: 30_000 }).trim();
  } catch (e) {
    throw new DistributionError("ERR_HELPER_BUILD", `the bundled helper does not start (${(e as Error).message.split("\n")[0]})`, "run the bundle with --debug to see why", { cause: e });
  }
  if (reported !== `claude-bedrock ${o.version}`) {
    throw new DistributionError(
      "ERR_VERSION",
      `the bundle reports "${reported}" but the package would be version ${o.version}`,
      `publish the helper's own version (omit --version, currently ${helperPackageVersion(helperDir)}), or bump "version" in packages/credential-helper/package.json`,
    );
  }
  return readFileSync(o.outfile);
}
