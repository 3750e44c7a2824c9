/**
 * `helper-distribution build | publish | verify`: the platform team's commands (see docs/distribution.md).
 *
 *   npm run build -w packages/helper-distribution -- --stage pilot --outputs pilot-outputs.json
 *   npm run publish-helper -w packages/helper-distribution -- --dir packages/helper-distribution/dist/pilot
 *   npm run verify -w packages/helper-distribution -- --dir <release dir>
 *
 * `build` without `--stage`/`--outputs` (and without CCB_STAGE / CCB_STACK_OUTPUTS) builds the committed
 * example stage into dist/example, so a clean clone shows the whole pipeline; that build is never publishable.
 */
import * as path from "node:path";
import { buildDistribution, EXAMPLE_OUTPUTS, parseTargets } from "./build";
import { verifyChecksums } from "./checksums";
import { DISTRIBUTION_EXIT_CODES, DistributionError } from "./errors";
import { publishRelease } from "./publish";

const HELP = `Usage:
  helper-distribution build   [--stage <name> --outputs <file>] [--out <dir>] [--package-name @scope/name]
                              [--version x.y.z] [--targets npm,linux-x64,win-x64,darwin-arm64,darwin-x64|all]
                              [--cache-dir <dir>] [--offline] [--node-binary <linux x64 node>]
  helper-distribution publish --dir <release dir> [--registry <url>] [--tag latest] [--executables] [--dry-run]
                              [--userconfig <npmrc>]
  helper-distribution verify  --dir <release dir>

build     bundles the credential helper with the stage's settings (the helperSettings stack output) into an
          npm package tarball and single-file executables, plus SHA256SUMS and manifest.json.
          Environment: CCB_STAGE, CCB_STACK_OUTPUTS, CCB_DIST_TARGETS stand in for the flags.
publish   verifies the checksums, then npm publish (and, with --executables, a CodeArtifact generic package).
verify    checks every file against SHA256SUMS.
`;

const PKG_DIR = path.resolve(__dirname, "..");

interface Args {
  command: string | undefined;
  values: Map<string, string>;
  flags: Set<string>;
}

const VALUE_OPTIONS = new Set([
  "--stage",
  "--outputs",
  "--out",
  "--package-name",
  "--version",
  "--targets",
  "--cache-dir",
  "--node-binary",
  "--dir",
  "--registry",
  "--tag",
  "--userconfig",
]);
const FLAG_OPTIONS = new Set(["--offline", "--executables", "--dry-run", "--allow-loopback-http", "--allow-example", "--help", "-h"]);

export function parseCliArgs(argv: readonly string[]): Args {
  const a: Args = { command: undefined, values: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (VALUE_OPTIONS.has(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith("--")) throw new DistributionError("ERR_USAGE", `${name} needs a value`, "see --help");
      a.values.set(name, v);
    } else if (FLAG_OPTIONS.has(arg)) a.flags.add(arg);
    else if (!arg.startsWith("-") && a.command === undefined) a.command = arg;
    else throw new DistributionError("ERR_USAGE", `unknown argument "${arg}"`, "see --help");
  }
  return a;
}

export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const a = parseCliArgs(argv);
  if (a.flags.has("--help") || a.flags.has("-h") || a.command === undefined) {
    process.stdout.write(HELP);
    return a.command === undefined && !a.flags.has("--help") && !a.flags.has("-h") ? 2 : 0;
  }
  switch (a.command) {
    case "build": {
      let stage = a.values.get("--stage") ?? env.CCB_STAGE;
      let outputs = a.values.get("--outputs") ?? env.CCB_STACK_OUTPUTS;
      if (stage === undefined && outputs === undefined) {
        stage = "example";
        outputs = EXAMPLE_OUTPUTS;
        process.stderr.write("no --stage/--outputs: building the committed example stage (not publishable)\n");
      }
      if (stage === undefined || outputs === undefined) {
        throw new DistributionError(
          "ERR_USAGE",
          "build needs both --stage and --outputs",
          "e.g. --stage pilot --outputs pilot-outputs.json (from `pulumi stack output --json --stack pilot`)",
        );
      }
      const targets = a.values.get("--targets") ?? env.CCB_DIST_TARGETS;
      const m = await buildDistribution({
        stage,
        outputsFile: outputs,
        outDir: a.values.get("--out") ?? path.join(PKG_DIR, "dist", stage),
        ...(a.values.has("--package-name") ? { packageName: a.values.get("--package-name")! } : {}),
        ...(a.values.has("--version") ? { version: a.values.get("--version")! } : {}),
        ...(targets ? { targets: parseTargets(targets) } : {}),
        ...(a.values.has("--cache-dir") ? { cacheDir: a.values.get("--cache-dir")! } : {}),
        ...(a.values.has("--node-binary") ? { nodeBinary: a.values.get("--node-binary")! } : {}),
        offline: a.flags.has("--offline"),
        allowLoopbackHttp: a.flags.has("--allow-loopback-http"),
      });
      process.stdout.write(`${m.packageName}@${m.version} (stage ${m.stage}): ${m.artifacts.map((x) => x.file).join(", ")}\n`);
      return 0;
    }
    case "publish": {
      const dir = a.values.get("--dir");
      if (!dir)
        throw new DistributionError(
          "ERR_USAGE",
          "publish needs --dir <release dir>",
          "pass the directory build wrote, e.g. packages/helper-distribution/dist/pilot",
        );
      publishRelease({
        dir,
        ...(a.values.has("--registry") ? { registry: a.values.get("--registry")! } : {}),
        ...(a.values.has("--tag") ? { tag: a.values.get("--tag")! } : {}),
        ...(a.values.has("--userconfig") ? { userconfig: a.values.get("--userconfig")! } : {}),
        executables: a.flags.has("--executables"),
        dryRun: a.flags.has("--dry-run"),
        allowExample: a.flags.has("--allow-example"),
      });
      return 0;
    }
    case "verify": {
      const dir = a.values.get("--dir");
      if (!dir) throw new DistributionError("ERR_USAGE", "verify needs --dir <release dir>", "pass the directory that holds SHA256SUMS");
      const names = verifyChecksums(dir);
      process.stdout.write(`${names.length} files match SHA256SUMS\n`);
      return 0;
    }
    default:
      throw new DistributionError("ERR_USAGE", `unknown command "${a.command}"`, "use build, publish or verify");
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof DistributionError) {
        process.stderr.write(`${e.toLine()}\n`);
        process.exitCode = DISTRIBUTION_EXIT_CODES[e.code];
      } else {
        process.stderr.write(`helper-distribution: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
        process.exitCode = 70;
      }
    },
  );
}
