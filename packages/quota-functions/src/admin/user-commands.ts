import { looksLikeEmail, normaliseEmail } from "../identity.js";
import { evaluate, resolveLimits } from "../limits.js";
import { nextDayStart, nextMonthStart, parseDuration, periodId } from "../periods.js";
import { microsToUsd, totalTokens } from "../pricing.js";
import type { UsageRecord } from "../store.js";
import { periodUsage } from "../usage.js";
import { CliError, type CliDeps, type Flags, fmtLimit, fmtTokens, fmtUsd, MAX_UNBLOCK_MS, table } from "./common.js";

/** `quota show`, `quota usage` and `quota unblock`: one user's state, everyone's usage, temporary unblocks. */

export async function show(d: CliDeps, positionals: string[], json: boolean): Promise<number> {
  const raw = positionals[0];
  if (!raw || !looksLikeEmail(raw)) throw new CliError("show: give the user's email");
  const email = normaliseEmail(raw);
  const now = d.now();
  const state = await d.store.userState(email, periodId("monthly", now), periodId("daily", now));
  const limits = await d.store.limitsFor(email, state.groups ?? []);
  const eff = resolveLimits(email, state.groups ?? [], limits);
  const ev = evaluate(eff, periodUsage(state.month, state.day, d.enforceOn ?? "max"), d.thresholds ?? [80, 90, 100]);
  const alerts = await d.store.alertsOf(email, state.month.period);
  const unblocked = state.unblock && Date.parse(state.unblock.until) > now ? state.unblock : undefined;
  const blocked = ev.blocking.length > 0 && !unblocked;
  if (json) {
    d.out(
      JSON.stringify(
        {
          email,
          groups: state.groups ?? [],
          policy: eff.source ?? null,
          limits: eff.limits,
          modes: { monthly: eff.monthlyMode, daily: eff.dailyMode },
          statuses: ev.statuses,
          blocked,
          unblock: state.unblock ?? null,
          month: state.month,
          day: state.day,
          alerts,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  d.out(`${email}  ${blocked ? "BLOCKED" : unblocked ? `unblocked until ${unblocked.until}` : "allowed"}`);
  d.out(`groups: ${(state.groups ?? []).join(", ") || "(none seen by the check API yet)"}`);
  d.out(
    `limits from: ${eff.source ? `${eff.source.scope} ${eff.source.ids.join(", ")}` : "nothing (no default record)"}; monthly ${eff.monthlyMode}, daily ${eff.dailyMode}`,
  );
  const rec = (label: string, r: UsageRecord) => [
    [label, "telemetry", fmtTokens(totalTokens(r.tel)), fmtUsd(microsToUsd(r.tel.costMicros))],
    [label, "invocation logs", fmtTokens(totalTokens(r.srv)), fmtUsd(microsToUsd(r.srv.costMicros))],
  ];
  table(
    [
      ["PERIOD (UTC)", "RECORD", "TOKENS", "COST"],
      ...rec(state.month.period.slice(2), state.month),
      ...rec(state.day.period.slice(2), state.day),
    ],
    d.out,
  );
  for (const s of ev.statuses) d.out(`${s.limit}: ${s.percent}% of ${fmtLimit(s.limit, s.max)} (${s.mode})`);
  for (const a of alerts) d.out(`alert sent ${a.sentAt}: ${String(a.sk).split("#").slice(3).join(" ")}%`);
  return 0;
}

export async function usage(d: CliDeps, v: Flags, json: boolean): Promise<number> {
  let period = periodId("monthly", d.now());
  if (typeof v.month === "string") {
    if (!/^\d{4}-\d{2}$/.test(v.month)) throw new CliError(`--month "${v.month}" must look like 2026-11`);
    period = `M#${v.month}`;
  }
  if (typeof v.day === "string") {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.day)) throw new CliError(`--day "${v.day}" must look like 2026-11-26`);
    period = `D#${v.day}`;
  }
  const sort = (v.sort as string | undefined) ?? "cost";
  if (sort !== "cost" && sort !== "tokens") throw new CliError("--sort must be cost or tokens");
  const top = v.top === undefined ? 50 : Number(v.top);
  if (!Number.isInteger(top) || top < 1) throw new CliError("--top must be a whole number ≥ 1");
  const rows = (await d.store.usageOfPeriod(period)).map((r) => ({
    email: r.email,
    tokens: Math.max(totalTokens(r.tel), totalTokens(r.srv)),
    costUsd: Math.max(microsToUsd(r.tel.costMicros), microsToUsd(r.srv.costMicros)),
    telemetryTokens: totalTokens(r.tel),
    invocationLogTokens: totalTokens(r.srv),
    cacheReadTokens: Math.max(r.tel.cacheRead, r.srv.cacheRead),
  }));
  rows.sort((a, b) => (sort === "cost" ? b.costUsd - a.costUsd : b.tokens - a.tokens) || a.email.localeCompare(b.email));
  const shown = rows.slice(0, top);
  if (json) {
    d.out(JSON.stringify({ period: period.slice(2), users: rows.length, rows: shown }, null, 2));
    return 0;
  }
  d.out(
    `${period.startsWith("M#") ? "month" : "day"} ${period.slice(2)} (UTC): ${rows.length} users, ${fmtUsd(rows.reduce((a, r) => a + r.costUsd, 0))}`,
  );
  table(
    [
      ["USER", "COST", "TOKENS", "CACHE READ", "TELEMETRY", "INVOCATION LOGS"],
      ...shown.map((r) => [
        r.email,
        fmtUsd(r.costUsd),
        fmtTokens(r.tokens),
        fmtTokens(r.cacheReadTokens),
        fmtTokens(r.telemetryTokens),
        fmtTokens(r.invocationLogTokens),
      ]),
    ],
    d.out,
  );
  return 0;
}

export async function unblock(d: CliDeps, positionals: string[], v: Flags): Promise<number> {
  const raw = positionals[0];
  if (!raw || !looksLikeEmail(raw)) throw new CliError("unblock: give the user's email");
  const email = normaliseEmail(raw);
  if (v.cancel === true) {
    await d.store.deleteUnblock(email);
    d.out(`unblock of ${email} cancelled; limits apply again from the next check (new credentials) and aggregation (≤ 15 min)`);
    return 0;
  }
  const now = d.now();
  const spec = typeof v.for === "string" ? v.for : undefined;
  if (!spec) throw new CliError("unblock: say for how long with --for 24h, --for 7d or --for until-reset (at most 7 days)");
  if (typeof v.reason !== "string" || v.reason.trim().length < 3)
    throw new CliError("unblock: give a --reason (it is recorded with the unblock)");
  let until: number;
  if (spec === "until-reset") {
    const state = await d.store.userState(email, periodId("monthly", now), periodId("daily", now));
    const limits = await d.store.limitsFor(email, state.groups ?? []);
    const ev = evaluate(resolveLimits(email, state.groups ?? [], limits), periodUsage(state.month, state.day, d.enforceOn ?? "max"), [100]);
    until = ev.blocking.some((s) => s.period === "monthly") || ev.blocking.length === 0 ? nextMonthStart(now) : nextDayStart(now);
  } else {
    try {
      until = now + parseDuration(spec);
    } catch (e) {
      throw new CliError(`--for ${(e as Error).message}`);
    }
  }
  const capped = Math.min(until, now + MAX_UNBLOCK_MS);
  const iso = new Date(capped).toISOString();
  await d.store.putUnblock({ email, until: iso, by: await d.whoami(), reason: v.reason.trim(), at: new Date(now).toISOString() });
  d.out(
    `${email} unblocked until ${iso}${capped < until ? " (capped at 7 days)" : ""}. New credentials at once; the IAM deny lifts at the next aggregation (≤ 15 min).`,
  );
  return 0;
}
