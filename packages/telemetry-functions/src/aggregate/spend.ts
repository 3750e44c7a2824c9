import type { TokenCounts } from "./pricing.js";
import { cacheSavingsUsd, costUsd, emptyCounts, priceOf } from "./pricing.js";
import { field, literal } from "./insights.js";
import type { Run, WindowName } from "./run.js";

/**
 * The day and week steps of a run: tokens by user and model, estimated cost and cache savings from the
 * price book, and the week's leaderboards.
 */

export type UserModelTokens = Map<string, { user: string; model: string; counts: TokenCounts }>;

/** Tokens by user, model and type: one query per type keeps each result under the 10,000-row cap. */
export async function tokensByUserAndModel(run: Run, w: WindowName): Promise<UserModelTokens> {
  const { n, email } = run;
  const perUserModel: UserModelTokens = new Map();
  // The four queries run concurrently (Logs Insights allows 30 per account).
  const byType = await Promise.all(
    (Object.entries(n.tokenTypes) as [keyof TokenCounts, string][]).map(async ([slot, typeValue]) => ({
      slot,
      rows: await run.q(
        run.cfg.metricsLogGroup,
        `filter ispresent(${field(n.cc.tokens)}) and ${field(n.attrs.type)} = ${literal(typeValue)} | stats sum(${field(n.cc.tokens)}) as tokens by ${email}, ${field(n.attrs.model)} | limit 10000`,
        w,
      ),
    })),
  );
  for (const { slot, rows } of byType) {
    for (const r of rows) {
      const user = r[n.attrs.email] ?? "";
      const model = r[n.attrs.model] ?? "";
      const key = `${user}\u0000${model}`;
      const entry = perUserModel.get(key) ?? { user, model, counts: emptyCounts() };
      entry.counts[slot] += Number(r.tokens ?? 0);
      perUserModel.set(key, entry);
    }
  }
  return perUserModel;
}

export interface UserSpend {
  tokens: number;
  cost: number;
  savings: number;
  cacheActive: boolean;
}

export interface Spend {
  readonly byUser: Map<string, UserSpend>;
  readonly byModel: Map<string, { cost: number; savings: number }>;
  readonly totalCost: number;
  readonly totalSavings: number;
}

/** Estimated cost and prompt-cache savings from the price book; models without a price count as unpriced. */
export function spendByUserAndModel(run: Run, perUserModel: UserModelTokens): Spend {
  const byUser = new Map<string, UserSpend>();
  const byModel = new Map<string, { cost: number; savings: number }>();
  let totalCost = 0;
  let totalSavings = 0;
  for (const { user, model, counts } of perUserModel.values()) {
    const price = priceOf(model, run.cfg.prices);
    if (!price) run.unpriced.add(model);
    const cost = price ? costUsd(counts, price) : 0;
    const savings = price ? cacheSavingsUsd(counts, price) : 0;
    const modelKey = price?.key ?? "unpriced";
    const u = byUser.get(user) ?? { tokens: 0, cost: 0, savings: 0, cacheActive: false };
    u.tokens += counts.input + counts.output + counts.cacheRead + counts.cacheCreation;
    u.cost += cost;
    u.savings += savings;
    u.cacheActive ||= counts.cacheRead + counts.cacheCreation > 0;
    byUser.set(user, u);
    const m = byModel.get(modelKey) ?? { cost: 0, savings: 0 };
    m.cost += cost;
    m.savings += savings;
    byModel.set(modelKey, m);
    totalCost += cost;
    totalSavings += savings;
  }
  return { byUser, byModel, totalCost, totalSavings };
}

/** Cost and savings in total and by model, and how many cache users saved less than they paid for cache writes. */
export function putSpend(run: Run, w: WindowName, spend: Spend): void {
  const { n, put } = run;
  put(n.metrics.estimatedCost, { [n.dims.window]: w }, spend.totalCost);
  put(n.metrics.cacheSavings, { [n.dims.window]: w }, spend.totalSavings);
  for (const [model, m] of spend.byModel) {
    put(n.metrics.estimatedCost, { [n.dims.model]: model, [n.dims.window]: w }, m.cost);
    put(n.metrics.cacheSavings, { [n.dims.model]: model, [n.dims.window]: w }, m.savings);
  }
  put(
    n.metrics.negativeSavingsUsers,
    { [n.dims.window]: w },
    [...spend.byUser.values()].filter((u) => u.cacheActive && u.savings < 0).length,
    "Count",
  );
}

/** The week's leaderboards: tokens, cost and cache savings from the spend, lines of code and active time from their own queries. */
export async function putLeaderboards(run: Run, byUser: Map<string, UserSpend>): Promise<void> {
  const { n, email, cfg } = run;
  const w: WindowName = "7d";
  const users = [...byUser.entries()];
  leaderboard(
    run,
    "tokens",
    users.map(([user, u]) => [user, u.tokens]),
  );
  leaderboard(
    run,
    "cost",
    users.map(([user, u]) => [user, round(u.cost)]),
  );
  leaderboard(
    run,
    "cache-savings",
    users.map(([user, u]) => [user, round(u.savings)]),
  );
  const lines = await run.q(
    cfg.metricsLogGroup,
    `filter ispresent(${field(n.cc.linesOfCode)}) | stats sum(${field(n.cc.linesOfCode)}) as lines by ${email} | sort lines desc | limit ${cfg.leaderboardSize}`,
    w,
  );
  leaderboard(
    run,
    "lines",
    lines.map((r) => [r[n.attrs.email] ?? "", Number(r.lines ?? 0)]),
  );
  const time = await run.q(
    cfg.metricsLogGroup,
    `filter ispresent(${field(n.cc.activeTime)}) | stats sum(${field(n.cc.activeTime)}) as seconds by ${email} | sort seconds desc | limit ${cfg.leaderboardSize}`,
    w,
  );
  leaderboard(
    run,
    "session-time",
    time.map((r) => [r[n.attrs.email] ?? "", round(Number(r.seconds ?? 0) / 3600)]),
  );
}

function leaderboard(run: Run, board: string, entries: [string, number][]): void {
  const { n } = run;
  entries
    .filter(([user]) => user !== "")
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, run.cfg.leaderboardSize)
    .forEach(([user, value]) =>
      run.put(n.metrics.leaderboard, { [n.dims.board]: board, [n.dims.window]: "7d", [n.dims.email]: user }, value),
    );
}

const round = (x: number) => Math.round(x * 100) / 100;
