/**
 * `npm run quota -- <command>`: the admins' tool for limits, usage and unblocks. Talks to the quota
 * tables directly with the admin's own AWS credentials (the default credential chain: a profile,
 * SSO, environment), so every change is attributed in CloudTrail.
 *
 *   quota set user alice@example.com --monthly-usd 300 --daily-usd 60 --mode block
 *   quota set group interns --monthly-tokens 50M --mode block --daily-mode alert
 *   quota set user bob@example.com --tpm 400k --rpm 60      (per-minute rate limits)
 *   quota delete user alice@example.com
 *   quota list [user|group|default] [--json]
 *   quota show alice@example.com [--json]
 *   quota usage [--month 2026-11 | --day 2026-11-26] [--top 20] [--sort cost|tokens] [--json]
 *   quota unblock alice@example.com --for 24h|7d|until-reset --reason "release week"
 *   quota unblock alice@example.com --cancel
 *   quota reconcile [--by developer|team|both] [--threshold 10] [--min-usd 1] [--settle-days 2] [--json]
 *
 * Tables: --limits-table/--usage-table, or CCB_QUOTA_LIMITS_TABLE/CCB_QUOTA_USAGE_TABLE, or
 * --outputs <file> with `pulumi stack output --json` (quotaLimitsTable, quotaUsageTable).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { isMode, parseDefaultLimit, type LimitRecord, type Mode } from "../limits.js";
import { QuotaStore } from "../store.js";
import { CliError, type CliDeps } from "./common.js";
import { list, remove, set } from "./limit-commands.js";
import { reconcile, resolveWorkgroup } from "./reconcile-command.js";
import { show, unblock, usage } from "./user-commands.js";

export { CliError, parseAmount } from "./common.js";
export type { CliDeps } from "./common.js";

const USAGE_TEXT = `usage: npm run quota -- <command> [options]

commands:
  set user <email>|group <name> [--monthly-usd N] [--daily-usd N] [--monthly-tokens N] [--daily-tokens N]
                               [--tpm N] [--rpm N] (tokens / model calls per minute)
                               [--mode alert|block] [--monthly-mode M] [--daily-mode M] [--clear <limit>] [--note text]
  delete user <email>|group <name>
  list [user|group|default] [--json]
  show <email> [--json]
  usage [--month YYYY-MM | --day YYYY-MM-DD] [--top N] [--sort cost|tokens] [--json]
  unblock <email> --for 24h|7d|until-reset --reason "…"    (at most 7 days)
  unblock <email> --cancel
  reconcile [--by developer|team|both] [--threshold PCT] [--min-usd N] [--settle-days N] [--json]
                               estimate vs bill per developer/team and day from Athena; exit 1 beyond ±PCT (default 10)

tables: --limits-table/--usage-table, CCB_QUOTA_LIMITS_TABLE/CCB_QUOTA_USAGE_TABLE, or --outputs <pulumi stack output --json file>
athena: --workgroup, CCB_ATHENA_WORKGROUP or --outputs (analyticsWorkgroup), for reconcile
AWS:    your own credentials (AWS_PROFILE, SSO, ...); --region, --endpoint (a local DynamoDB)`;

export const OPTIONS = {
  "monthly-usd": { type: "string" },
  "daily-usd": { type: "string" },
  "monthly-tokens": { type: "string" },
  "daily-tokens": { type: "string" },
  tpm: { type: "string" },
  rpm: { type: "string" },
  mode: { type: "string" },
  "monthly-mode": { type: "string" },
  "daily-mode": { type: "string" },
  clear: { type: "string", multiple: true },
  note: { type: "string" },
  json: { type: "boolean" },
  month: { type: "string" },
  day: { type: "string" },
  top: { type: "string" },
  sort: { type: "string" },
  for: { type: "string" },
  reason: { type: "string" },
  cancel: { type: "boolean" },
  "limits-table": { type: "string" },
  "usage-table": { type: "string" },
  outputs: { type: "string" },
  region: { type: "string" },
  endpoint: { type: "string" },
  workgroup: { type: "string" },
  threshold: { type: "string" },
  "min-usd": { type: "string" },
  "settle-days": { type: "string" },
  by: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs one command; returns the exit code. Errors with a fix go to `err`. */
export async function runCli(argv: readonly string[], d: CliDeps, err: (line: string) => void): Promise<number> {
  try {
    const { values: v, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...rest] = positionals;
    const json = v.json === true;
    switch (command) {
      case "set":
        return await set(d, rest, v);
      case "delete":
        return await remove(d, rest);
      case "list":
        return await list(d, rest, json);
      case "show":
        return await show(d, rest, json);
      case "usage":
        return await usage(d, v, json);
      case "unblock":
        return await unblock(d, rest, v);
      case "reconcile":
        if (!d.reconcile) throw new CliError("reconcile needs the Athena workgroup (--workgroup, CCB_ATHENA_WORKGROUP or --outputs)");
        return await reconcile({ ...d.reconcile, out: d.out, now: d.now }, v, json);
      case undefined:
      case "help":
        d.out(USAGE_TEXT);
        return command === undefined && !v.help ? 2 : 0;
      default:
        throw new CliError(`unknown command "${command}"\n${USAGE_TEXT}`);
    }
  } catch (e) {
    if (e instanceof CliError) {
      err(`quota: ${e.message}`);
      return 2;
    }
    if ((e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      err(`quota: ${(e as Error).message}\n${USAGE_TEXT}`);
      return 2;
    }
    const name = (e as Error).name;
    if (name === "ResourceNotFoundException")
      err("quota: the table does not exist in this account/Region; check --limits-table/--usage-table, --region and your AWS profile");
    else if (name === "AccessDeniedException")
      err(`quota: access denied (${(e as Error).message}); your role needs the QuotaService administer grant`);
    else err(`quota: ${name}: ${(e as Error).message}`);
    return 1;
  }
}

/** Table names from flags, environment or a `pulumi stack output --json` file. */
export function resolveTables(
  v: { "limits-table"?: string; "usage-table"?: string; outputs?: string },
  env: NodeJS.ProcessEnv,
): { limits: string; usage: string; defaultLimit?: LimitRecord; stageMode?: Mode } {
  let fromFile: Record<string, unknown> = {};
  if (v.outputs) {
    try {
      fromFile = JSON.parse(readFileSync(v.outputs, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new CliError(`--outputs ${v.outputs}: ${(e as Error).message}`);
    }
  }
  const limits = v["limits-table"] ?? env.CCB_QUOTA_LIMITS_TABLE ?? (fromFile.quotaLimitsTable as string | undefined);
  const usage = v["usage-table"] ?? env.CCB_QUOTA_USAGE_TABLE ?? (fromFile.quotaUsageTable as string | undefined);
  if (!limits || !usage)
    throw new CliError(
      "which tables? pass --outputs <(pulumi stack output --json --stack prod), or --limits-table and --usage-table, or set CCB_QUOTA_LIMITS_TABLE and CCB_QUOTA_USAGE_TABLE",
    );
  // The default limit is stage config; the stack exports it so `show` and `list` can apply it.
  const def = fromFile.quotaDefaultLimits ?? env.CCB_QUOTA_DEFAULT_LIMITS;
  let defaultLimit: LimitRecord | undefined;
  if (def !== undefined) {
    try {
      defaultLimit = parseDefaultLimit(typeof def === "string" ? def : JSON.stringify(def));
    } catch (e) {
      throw new CliError(`the default limits from the stack outputs are invalid: ${(e as Error).message}`);
    }
  }
  const mode = fromFile.quotaMode ?? env.CCB_QUOTA_MODE;
  if (mode !== undefined && !isMode(mode))
    throw new CliError(`the stage mode (stack output quotaMode or CCB_QUOTA_MODE) is "${String(mode)}"; it must be alert or block`);
  return { limits, usage, ...(defaultLimit ? { defaultLimit } : {}), ...(mode ? { stageMode: mode } : {}) };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
  let v: Record<string, unknown>;
  let command: string | undefined;
  try {
    const parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false });
    v = parsed.values;
    command = parsed.positionals[0];
  } catch {
    v = {};
  }
  const err = (l: string) => console.error(l);
  let store: QuotaStore;
  let stageMode: Mode | undefined;
  try {
    if (v.help || argv.length === 0)
      return runCli(argv, { store: undefined as never, out: (l) => console.log(l), now: Date.now, whoami: async () => "" }, err);
    // Reconciliation reads Athena only: no quota tables needed.
    if (command === "reconcile") {
      const { AthenaClient } = await import("@aws-sdk/client-athena");
      const athena = new AthenaClient({ ...(typeof v.region === "string" ? { region: v.region } : {}) });
      const reconcileDeps = { athena, workgroup: resolveWorkgroup(v as never, process.env) };
      return runCli(
        argv,
        { store: undefined as never, out: (l) => console.log(l), now: Date.now, whoami: async () => "", reconcile: reconcileDeps },
        err,
      );
    }
    const t = resolveTables(v as never, process.env);
    const client = new DynamoDBClient({
      ...(typeof v.region === "string" ? { region: v.region } : {}),
      ...(typeof v.endpoint === "string" ? { endpoint: v.endpoint } : {}),
    });
    store = new QuotaStore(client, t.limits, t.usage, t.defaultLimit);
    stageMode = t.stageMode;
  } catch (e) {
    err(`quota: ${(e as Error).message}`);
    return 2;
  }
  const whoami = async () => {
    try {
      const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
      const id = await new STSClient({ ...(typeof v.region === "string" ? { region: v.region } : {}) }).send(
        new GetCallerIdentityCommand({}),
      );
      return id.Arn ?? process.env.USER ?? "unknown";
    } catch {
      return process.env.USER ?? "unknown";
    }
  };
  return runCli(argv, { store, out: (l) => console.log(l), now: Date.now, whoami, ...(stageMode ? { stageMode } : {}) }, err);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  // Exit once stdout has drained: a pipe takes output asynchronously (`usage --json` can be large).
  main().then((code) => process.stdout.write("", () => process.exit(code)));
}
