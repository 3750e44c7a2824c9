/**
 * Publishes a release directory made by `build`: checks every checksum first, then `npm publish` of the
 * tarball to the stage's registry and, for CodeArtifact, the executables as one generic package version
 * (`aws codeartifact publish-package-version --format generic`, each asset with its SHA-256, the version
 * marked Published only after the last asset). `--dry-run` prints the commands without running them.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { BuildManifest } from "./build";
import { CHECKSUMS_FILE, verifyChecksums } from "./checksums";
import { parseCodeArtifactUrl, type CodeArtifactEndpoint } from "./codeartifact";
import { DistributionError } from "./errors";
import { sha256 } from "./npm-package";
import { splitPackageName } from "./stage-input";

export interface PublishOptions {
  readonly dir: string;
  /** Defaults to the registry in the stage settings. */
  readonly registry?: string;
  readonly tag?: string;
  readonly dryRun?: boolean;
  /** Also publish the executables (CodeArtifact generic package). */
  readonly executables?: boolean;
  /** npm user config with the registry token (default: npm's own lookup). */
  readonly userconfig?: string;
  /** The committed example stage is never meant for a registry. */
  readonly allowExample?: boolean;
  readonly log?: (line: string) => void;
  /** Runs a command; replaced in tests. */
  readonly exec?: (file: string, args: readonly string[]) => void;
}

export interface PublishPlan {
  readonly commands: ReadonlyArray<readonly string[]>;
}

/** Name of the generic package that carries the executables: `<npm name>-executables` in the npm scope. */
export function executablesPackage(packageName: string): { namespace: string; name: string } {
  const { scope, name } = splitPackageName(packageName);
  return { namespace: scope, name: `${name}-executables` };
}

export function readManifest(dir: string): BuildManifest {
  try {
    return JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as BuildManifest;
  } catch (e) {
    throw new DistributionError(
      "ERR_PUBLISH",
      `${dir} has no readable manifest.json (${(e as Error).message})`,
      "run the build first: npm run build -w packages/helper-distribution -- --stage <stage> --outputs <file>",
    );
  }
}

/** `aws codeartifact <operation>` addressed at the stage's repository (domain, owner, repository, Region). */
function codeArtifactCommand(e: CodeArtifactEndpoint, operation: string): string[] {
  return [
    "aws",
    "codeartifact",
    operation,
    "--domain",
    e.domain,
    "--domain-owner",
    e.owner,
    "--repository",
    e.repository,
    "--region",
    e.region,
  ];
}

export function genericAssetCommands(e: CodeArtifactEndpoint, m: BuildManifest): string[][] {
  const pkg = executablesPackage(m.packageName);
  const assets = [...m.artifacts.filter((a) => a.kind === "executable" || a.kind === "settings"), { file: CHECKSUMS_FILE, sha256: "" }];
  return assets.map((a, i) => [
    ...codeArtifactCommand(e, "publish-package-version"),
    "--format",
    "generic",
    "--namespace",
    pkg.namespace,
    "--package",
    pkg.name,
    "--package-version",
    m.version,
    "--asset-content",
    a.file,
    "--asset-name",
    a.file,
    "--asset-sha256",
    a.sha256 || "<sha256 of SHA256SUMS>",
    ...(i < assets.length - 1 ? ["--unfinished"] : []),
  ]);
}

/**
 * Pins a package's origin controls to "publish: ALLOW, upstream: BLOCK" before publishing, so a package of
 * the same name on public npm can never be served from an upstream (dependency confusion), even before
 * the first version exists. Idempotent.
 */
export function originControlCommands(e: CodeArtifactEndpoint, m: BuildManifest, executables: boolean): string[][] {
  const { scope, name } = splitPackageName(m.packageName);
  const pkgs: Array<[string, string, string]> = [["npm", scope, name]];
  if (executables) {
    const g = executablesPackage(m.packageName);
    pkgs.push(["generic", g.namespace, g.name]);
  }
  return pkgs.map(([format, namespace, pkg]) => [
    ...codeArtifactCommand(e, "put-package-origin-configuration"),
    "--format",
    format,
    "--namespace",
    namespace,
    "--package",
    pkg,
    "--restrictions",
    "publish=ALLOW,upstream=BLOCK",
  ]);
}

export function publishRelease(o: PublishOptions): PublishPlan {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const checked = verifyChecksums(o.dir);
  log(`checksums ok (${checked.length} files)`);
  const m = readManifest(o.dir);
  if (m.stage === "example" && !o.allowExample) {
    throw new DistributionError(
      "ERR_PUBLISH",
      "this is the build of the committed example stage",
      "build the real stage: --stage <stage> --outputs <pulumi stack output --json file>",
    );
  }
  const tarball = m.artifacts.find((a) => a.kind === "npm-package");
  const registry = o.registry ?? m.registryUrl;
  if (!registry)
    throw new DistributionError(
      "ERR_PUBLISH",
      `stage ${m.stage} names no registry`,
      "enable `distribution` for the stage, or pass --registry <url>",
    );
  const commands: string[][] = [];
  const ca = parseCodeArtifactUrl(registry);
  if (ca) commands.push(...originControlCommands(ca, m, o.executables ?? false));
  if (tarball) {
    commands.push([
      "npm",
      "publish",
      path.join(o.dir, tarball.file),
      "--registry",
      registry,
      "--tag",
      o.tag ?? "latest",
      ...(o.userconfig ? ["--userconfig", o.userconfig] : []),
      ...(o.dryRun ? ["--dry-run"] : []),
    ]);
  }
  if (o.executables) {
    if (!ca)
      throw new DistributionError(
        "ERR_PUBLISH",
        `${registry} is not a CodeArtifact npm endpoint`,
        "executables are published as a CodeArtifact generic package; leave out --executables for other registries",
      );
    const sums = readFileSync(path.join(o.dir, CHECKSUMS_FILE));
    const sumsSha = sha256(sums);
    for (const cmd of genericAssetCommands(ca, m)) {
      const i = cmd.indexOf("--asset-sha256");
      if (cmd[i + 1] === "<sha256 of SHA256SUMS>") cmd[i + 1] = sumsSha;
      const c = cmd.indexOf("--asset-content");
      cmd[c + 1] = path.join(o.dir, cmd[c + 1]!);
      commands.push(cmd);
    }
  }
  if (commands.length === 0)
    throw new DistributionError("ERR_PUBLISH", `${o.dir} holds nothing to publish`, "build with the npm target, or pass --executables");
  const exec = o.exec ?? ((file: string, args: readonly string[]) => void execFileSync(file, args, { stdio: "inherit" }));
  for (const [file, ...args] of commands) {
    log(`${o.dryRun && file === "aws" ? "would run" : "running"}: ${[file, ...args].join(" ")}`);
    if (o.dryRun && file === "aws") continue;
    try {
      exec(file!, args);
    } catch (e) {
      if (args[1] === "put-package-origin-configuration") {
        // Hardening, not a precondition: with no public upstream nothing can be served from one anyway.
        log(
          `warning: could not pin the origin controls of ${args[args.indexOf("--package") + 1]} (${(e as Error).message.split("\n")[0]}); grant the publishing role codeartifact:PutPackageOriginConfiguration on the package`,
        );
        continue;
      }
      throw new DistributionError(
        "ERR_PUBLISH",
        `${file} ${args.slice(0, 2).join(" ")} failed (${(e as Error).message.split("\n")[0]})`,
        file === "npm"
          ? "refresh the registry token (aws codeartifact login …, it lasts 12 h) and check that this version is not published yet (bump it)"
          : "check the publisher role's credentials and that this version is not published yet",
        { cause: e },
      );
    }
  }
  return { commands };
}
