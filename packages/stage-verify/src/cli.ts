/**
 * `npm run verify -- --stack <stage> [--invoke]` or `npm run verify -- --outputs <file> [--invoke]`.
 *
 * Checks a deployed stage with read-only AWS calls made with the operator's own credentials (the
 * ReadOnlyAccess managed policy is enough) and prints ok/FAIL with a fix per check. Exits 1 on any FAIL,
 * 2 on a usage error. `--invoke` also makes one 1-token Converse call with the developer profile the
 * credential helper configures (the user role), which costs a fraction of a cent. In a multi-account
 * stage the collector and dashboard live in the telemetry account: `--telemetry-profile <aws-profile>`
 * names credentials for it (the other checks use the default chain, in the inference account).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fromIni } from "@aws-sdk/credential-providers";
import { verifyStage, type CheckResult } from "./checks";
import { parseStageOutputs } from "./outputs";

export interface CliArgs {
  readonly stack?: string;
  readonly outputs?: string;
  readonly invoke: boolean;
  readonly telemetryProfile?: string;
}

export function parseArgs(argv: readonly string[]): CliArgs {
  let stack: string | undefined,
    outputs: string | undefined,
    telemetryProfile: string | undefined,
    invoke = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--stack" || a === "--outputs" || a === "--telemetry-profile") {
      const v = argv[++i];
      if (!v || v.startsWith("--")) throw new Error(`${a} needs a value`);
      if (a === "--stack") stack = v;
      else if (a === "--outputs") outputs = v;
      else telemetryProfile = v;
    } else if (a === "--invoke") invoke = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!stack === !outputs) throw new Error("pass exactly one of --stack <stage> or --outputs <file>");
  return { ...(stack ? { stack } : {}), ...(outputs ? { outputs } : {}), ...(telemetryProfile ? { telemetryProfile } : {}), invoke };
}

export function format(results: readonly CheckResult[]): string {
  const lines = results.map((r) => (r.ok ? `ok    ${r.check}: ${r.detail}` : `FAIL  ${r.check}: ${r.detail}\n      fix: ${r.fix}`));
  const failed = results.filter((r) => !r.ok).length;
  lines.push(failed ? `\n${failed} of ${results.length} checks failed` : `\nall ${results.length} checks passed`);
  return lines.join("\n");
}

async function main(): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(
      `verify: ${(e as Error).message}\nusage: npm run verify -- (--stack <stage> | --outputs <stack-outputs.json>) [--invoke] [--telemetry-profile <aws-profile>]`,
    );
    return 2;
  }
  let raw: string;
  let source: string;
  if (args.outputs) {
    raw = readFileSync(args.outputs, "utf8");
    source = args.outputs;
  } else {
    source = `pulumi stack output --stack ${args.stack}`;
    try {
      // --show-secrets: some outputs (helper settings) may be marked secret; they are only read here.
      raw = execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", args.stack!], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      console.error(
        `verify: \`${source}\` failed: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}\nfix: run from the project directory, log in to the state backend (pulumi login), or pass --outputs <file>`,
      );
      return 2;
    }
  }
  const stage = parseStageOutputs(JSON.parse(raw), source);
  console.log(`verify: stage ${stage.stage} in ${stage.region}\n`);
  const telemetryCredentials = args.telemetryProfile ? fromIni({ profile: args.telemetryProfile }) : undefined;
  const results = await verifyStage(stage, { invoke: args.invoke, ...(telemetryCredentials ? { telemetryCredentials } : {}) });
  console.log(format(results));
  return results.every((r) => r.ok) ? 0 : 1;
}

if (process.argv[1] && /stage-verify[\\/]src[\\/]cli\.ts$/.test(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`verify: ${(e as Error).message}`);
      process.exit(2);
    },
  );
}
