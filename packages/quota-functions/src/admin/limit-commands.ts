import { isMode, LIMIT_KEYS, type LimitKey, type LimitRecord, type Scope } from "../limits.js";
import {
  CliError,
  RATE_FLAGS,
  type RateKey,
  type CliDeps,
  describe,
  FLAG_OF,
  type Flags,
  fmtLimit,
  parseAmount,
  SCOPES,
  scopeAndId,
  table,
} from "./common.js";

/** `quota set`, `quota list` and `quota delete`: the limit records. */

export async function set(d: CliDeps, positionals: string[], v: Flags): Promise<number> {
  const { scope, id } = scopeAndId(positionals, "set");
  if (scope === "default")
    throw new CliError(
      "the default limit is part of the stage configuration: edit stage.quotas.defaults in Pulumi.<stage>.yaml and run pulumi up",
    );
  const existing = (await d.store.listLimits(scope)).find((r) => r.id === id);
  const record: Record<string, unknown> = { ...(existing ?? { monthlyMode: "alert", dailyMode: "alert" }), scope, id };
  let changed = false;
  for (const k of LIMIT_KEYS) {
    const flag = v[FLAG_OF[k]];
    if (typeof flag === "string") {
      record[k] = parseAmount(flag, `--${FLAG_OF[k]}`);
      changed = true;
    }
  }
  for (const c of (v.clear as string[] | undefined) ?? []) {
    const key = (Object.entries(FLAG_OF).find(([, f]) => f === c) ??
      RATE_FLAGS.map(([f, k]) => [k, f]).find(([, f]) => f === c) ??
      [])[0] as LimitKey | RateKey | undefined;
    if (!key) throw new CliError(`--clear ${c}: use one of ${[...Object.values(FLAG_OF), ...RATE_FLAGS.map(([f]) => f)].join(", ")}`);
    delete record[key];
    changed = true;
  }
  for (const [flag, keys] of [
    ["mode", ["monthlyMode", "dailyMode"]],
    ["monthly-mode", ["monthlyMode"]],
    ["daily-mode", ["dailyMode"]],
  ] as const) {
    const m = v[flag];
    if (m === undefined) continue;
    if (!isMode(m)) throw new CliError(`--${flag} must be alert or block`);
    for (const k of keys) record[k] = m;
    changed = true;
  }
  // Per-minute rate limits (rate/): cleared with --clear tpm / --clear rpm.
  for (const [flag, key] of RATE_FLAGS) {
    const value = v[flag];
    if (typeof value === "string") {
      record[key] = parseAmount(value, `--${flag}`);
      changed = true;
    }
  }
  if (typeof v.note === "string") record.note = v.note;
  if (!changed && !existing)
    throw new CliError(
      `set ${scope} ${id}: give at least one limit (--monthly-usd, --daily-usd, --monthly-tokens, --daily-tokens, --tpm, --rpm) or a mode`,
    );
  const m = record.monthlyTokens as number | undefined;
  const dt = record.dailyTokens as number | undefined;
  if (m !== undefined && dt !== undefined && dt > m) throw new CliError("--daily-tokens is larger than --monthly-tokens");
  const mu = record.monthlyCostUsd as number | undefined;
  const du = record.dailyCostUsd as number | undefined;
  if (mu !== undefined && du !== undefined && du > mu) throw new CliError("--daily-usd is larger than --monthly-usd");
  record.updatedAt = new Date(d.now()).toISOString();
  record.updatedBy = await d.whoami();
  await d.store.putLimit(record as unknown as LimitRecord);
  d.out(`${existing ? "updated" : "created"} ${scope} ${id}: ${describe(record as unknown as LimitRecord)}`);
  // The stage mode caps every record: say so rather than let the admin believe the record blocks.
  if (d.stageMode === "alert" && (record.monthlyMode === "block" || record.dailyMode === "block")) {
    d.out(
      `warning: this stage's quotas.mode is alert, so nobody is refused: the record's block mode only alerts here. Set quotas.mode: block in Pulumi.<stage>.yaml to enforce it.`,
    );
  }
  return 0;
}

export async function list(d: CliDeps, positionals: string[], json: boolean): Promise<number> {
  const scope = positionals[0] as Scope | undefined;
  if (scope && !SCOPES.includes(scope)) throw new CliError(`list: scope must be user, group or default`);
  const records = await d.store.listLimits(scope);
  if (json) {
    d.out(JSON.stringify(records, null, 2));
    return 0;
  }
  if (records.length === 0) {
    d.out("no limit records");
    return 0;
  }
  table(
    [
      ["SCOPE", "ID", "MONTHLY USD", "DAILY USD", "MONTHLY TOKENS", "DAILY TOKENS", "MODES (M/D)", "UPDATED BY"],
      ...records.map((r) => [
        r.scope,
        r.id,
        fmtLimit("monthlyCostUsd", r.monthlyCostUsd),
        fmtLimit("dailyCostUsd", r.dailyCostUsd),
        fmtLimit("monthlyTokens", r.monthlyTokens),
        fmtLimit("dailyTokens", r.dailyTokens),
        `${r.monthlyMode}/${r.dailyMode}`,
        r.updatedBy ?? "",
      ]),
    ],
    d.out,
  );
  return 0;
}

export async function remove(d: CliDeps, positionals: string[]): Promise<number> {
  const { scope, id } = scopeAndId(positionals, "delete");
  if (scope === "default") throw new CliError("the default limit is part of the stage configuration (stage.quotas.defaults)");
  const gone = await d.store.deleteLimit(scope, id);
  d.out(gone ? `deleted ${scope} ${id}` : `no ${scope} record ${id}`);
  return gone ? 0 : 1;
}
