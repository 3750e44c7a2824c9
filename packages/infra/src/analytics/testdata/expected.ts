/**
 * The answers to the named queries computed directly from the generated records in TypeScript, with
 * no SQL: the independent side of the comparison in `queries.test.ts`. Semantics (documented in
 * docs/analytics.md): days, weeks and months are the data point's own UTC time (`emf.timestamp`), never
 * the arrival partition `dt`; windows are "event day on or after the floor"; a user is active in a
 * period when they consumed tokens in it; department and team come from the data point's claims, else
 * the user directory (emails case-insensitive), else `unassigned`; records without an email count in
 * totals but never as a user; cost = tokens × the model's price for that token type; unpriced models
 * cost nothing and are reported.
 */
import type { PricingRow } from "../pricing";
import { UNSPECIFIED } from "../schema";
import type { DataSet, MetricRow } from "./generate";

const DAY_MS = 86_400_000;
const isoOfMs = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dtOfMs = (ms: number) => isoOfMs(ms).replace(/-/g, "/");
const msOfDay = (day: string) => Date.parse(`${day.replace(/\//g, "-")}T00:00:00Z`);

/** Partition value (`yyyy/MM/dd`) `days` before today. */
export function floorDaysAgo(today: string, days: number): string {
  return dtOfMs(msOfDay(today) - days * DAY_MS);
}
/** Partition value of the first day of the month `months` before today's. */
export function floorMonthsAgo(today: string, months: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  return dtOfMs(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1));
}
/** Monday of the ISO week of a day (`yyyy-MM-dd` or `yyyy/MM/dd`), as `yyyy-MM-dd`. */
export function mondayOf(day: string): string {
  const ms = msOfDay(day);
  const dow = (new Date(ms).getUTCDay() + 6) % 7;
  return isoOfMs(ms - dow * DAY_MS);
}
const dayAgo = (today: string, days: number) => floorDaysAgo(today, days).replace(/\//g, "-");
const monthAgo = (today: string, months: number) => floorMonthsAgo(today, months).replace(/\//g, "-");
const monthOf = (day: string) => day.slice(0, 7);

/** The UTC day the data point happened (EMF timestamp), `yyyy-MM-dd`. */
export function eventDay(r: MetricRow): string {
  return isoOfMs((r["emf"] as { timestamp: number }).timestamp);
}

const num = (r: MetricRow, col: string): number => (r[col] as number | null) ?? 0;
const tokensOf = (r: MetricRow) => r["claude_code_token_usage"] as number | null;

export class Expected {
  private readonly directory = new Map<string, { department: string; team: string }>();
  private readonly prices = new Map<string, PricingRow["price"]>();

  constructor(
    readonly data: DataSet,
    pricing: readonly PricingRow[],
    readonly today: string,
  ) {
    for (const d of data.directory) this.directory.set(d.user_email.toLowerCase(), { department: d.department, team: d.team });
    for (const p of pricing) this.prices.set(p.modelId, p.price);
  }

  /** Lower-cased email, or null when the record has none. */
  email(r: MetricRow): string | null {
    const e = r["user_email"] as string | null;
    return e === null ? null : e.toLowerCase();
  }
  private claim(r: MetricRow, key: string): string | undefined {
    const v = r[key] as string | null;
    return v && v !== UNSPECIFIED ? v : undefined;
  }
  private dir(r: MetricRow) {
    const e = this.email(r);
    return e === null ? undefined : this.directory.get(e);
  }
  department(r: MetricRow): string {
    return this.claim(r, "department") ?? this.dir(r)?.department ?? "unassigned";
  }
  team(r: MetricRow): string {
    return this.claim(r, "team") ?? this.dir(r)?.team ?? "unassigned";
  }
  /** Adds the user to a set of active users when the record consumed tokens and has an email. */
  private active(set: Set<string>, r: MetricRow) {
    const e = this.email(r);
    if (e !== null && (tokensOf(r) ?? 0) > 0) set.add(e);
  }
  /** USD of a token record, or undefined when the model has no price. */
  cost(r: MetricRow): number | undefined {
    const tokens = tokensOf(r);
    if (tokens === null) return 0;
    const p = this.prices.get(String(r["model"]));
    if (!p) return undefined;
    const rate = { input: p.input, output: p.output, cacheRead: p.cacheRead, cacheCreation: p.cacheWrite }[String(r["type"]) as "input"];
    return (tokens / 1e6) * rate;
  }
  /** Records whose event day is in [first, last] (`yyyy-MM-dd`). */
  between(first: string, last = "9999-12-31"): MetricRow[] {
    return this.data.rows.filter((r) => eventDay(r) >= first && eventDay(r) <= last);
  }

  monthlyTokensByDepartment() {
    const out = new Map<
      string,
      { activeUsers: Set<string>; input: number; output: number; cacheRead: number; cacheWrite: number; total: number }
    >();
    for (const r of this.between(monthAgo(this.today, 11))) {
      const t = tokensOf(r);
      if (t === null) continue;
      const key = `${monthOf(eventDay(r))}|${this.department(r)}`;
      const e = out.get(key) ?? { activeUsers: new Set<string>(), input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 };
      this.active(e.activeUsers, r);
      const type = String(r["type"]);
      if (type === "input") e.input += t;
      if (type === "output") e.output += t;
      if (type === "cacheRead") e.cacheRead += t;
      if (type === "cacheCreation") e.cacheWrite += t;
      e.total += t;
      out.set(key, e);
    }
    return out;
  }

  acceptanceByMonthAndLanguage() {
    const out = new Map<string, { accepted: number; rejected: number; users: Set<string> }>();
    for (const r of this.between(monthAgo(this.today, 11))) {
      const n = r["claude_code_code_edit_tool_decision"] as number | null;
      if (n === null) continue;
      const key = `${monthOf(eventDay(r))}|${(r["language"] as string | null) || "unknown"}`;
      const e = out.get(key) ?? { accepted: 0, rejected: 0, users: new Set<string>() };
      if (r["decision"] === "accept") e.accepted += n;
      if (r["decision"] === "reject") e.rejected += n;
      const email = this.email(r);
      if (email !== null) e.users.add(email);
      out.set(key, e);
    }
    return out;
  }

  efficiencyByTeam() {
    const out = new Map<
      string,
      {
        activeUsers: Set<string>;
        total: number;
        output: number;
        cacheRead: number;
        prompt: number;
        cost: number;
        acceptedLines: number;
        acceptedEdits: number;
      }
    >();
    for (const r of this.between(dayAgo(this.today, 90))) {
      const team = this.team(r);
      const e = out.get(team) ?? {
        activeUsers: new Set<string>(),
        total: 0,
        output: 0,
        cacheRead: 0,
        prompt: 0,
        cost: 0,
        acceptedLines: 0,
        acceptedEdits: 0,
      };
      this.active(e.activeUsers, r);
      const t = tokensOf(r);
      if (t !== null) {
        e.total += t;
        if (r["type"] === "output") e.output += t;
        else e.prompt += t;
        if (r["type"] === "cacheRead") e.cacheRead += t;
        e.cost += this.cost(r) ?? 0;
      }
      if (r["type"] === "added") e.acceptedLines += num(r, "claude_code_lines_of_code_count");
      if (r["decision"] === "accept") e.acceptedEdits += num(r, "claude_code_code_edit_tool_decision");
      out.set(team, e);
    }
    return out;
  }

  /** Keyed `month|email` (`null` for records without an email). */
  costByUser() {
    const out = new Map<string, { tokens: number; cost: number; unpriced: number; estimate: number; department: string; team: string }>();
    for (const r of this.between(monthAgo(this.today, 2))) {
      const t = tokensOf(r);
      const est = r["claude_code_cost_usage"] as number | null;
      if (t === null && est === null) continue;
      const key = `${monthOf(eventDay(r))}|${this.email(r)}`;
      const e = out.get(key) ?? { tokens: 0, cost: 0, unpriced: 0, estimate: 0, department: this.department(r), team: this.team(r) };
      if (t !== null) {
        e.tokens += t;
        const c = this.cost(r);
        if (c === undefined) e.unpriced += t;
        else e.cost += c;
      }
      if (est !== null) e.estimate += est;
      out.set(key, e);
    }
    return out;
  }

  costByDepartment() {
    const out = new Map<string, { cost: number; activeUsers: Set<string> }>();
    for (const r of this.between(monthAgo(this.today, 11))) {
      if (tokensOf(r) === null) continue;
      const key = `${monthOf(eventDay(r))}|${this.department(r)}`;
      const e = out.get(key) ?? { cost: 0, activeUsers: new Set<string>() };
      e.cost += this.cost(r) ?? 0;
      this.active(e.activeUsers, r);
      out.set(key, e);
    }
    return out;
  }

  /** Active users, sessions started and tokens per period; `bucket` maps an event day to its period's first day. */
  activeUsers(period: "day" | "week" | "month") {
    const first =
      period === "day"
        ? dayAgo(this.today, 90)
        : period === "week"
          ? isoOfMs(msOfDay(mondayOf(this.today)) - 175 * DAY_MS)
          : monthAgo(this.today, 11);
    const bucket = (d: string) => (period === "day" ? d : period === "week" ? mondayOf(d) : `${monthOf(d)}-01`);
    const out = new Map<string, { activeUsers: Set<string>; sessions: number; tokens: number }>();
    for (const r of this.between(first)) {
      const key = bucket(eventDay(r));
      const e = out.get(key) ?? { activeUsers: new Set<string>(), sessions: 0, tokens: 0 };
      this.active(e.activeUsers, r);
      e.sessions += num(r, "claude_code_session_count");
      e.tokens += num(r, "claude_code_token_usage");
      out.set(key, e);
    }
    return out;
  }

  /** Per month, the `limit` users with the highest cost (ties: more tokens, then email). */
  topUsersPerMonth(limit = 25) {
    type Row = { tokens: number; cost: number; sessions: number; linesAdded: number; acceptedEdits: number; activeSeconds: number };
    const per = new Map<string, Map<string, Row>>();
    for (const r of this.between(monthAgo(this.today, 2))) {
      const email = this.email(r);
      if (email === null) continue;
      const month = monthOf(eventDay(r));
      const users = per.get(month) ?? new Map<string, Row>();
      const e = users.get(email) ?? { tokens: 0, cost: 0, sessions: 0, linesAdded: 0, acceptedEdits: 0, activeSeconds: 0 };
      e.tokens += num(r, "claude_code_token_usage");
      e.cost += this.cost(r) ?? 0;
      e.sessions += num(r, "claude_code_session_count");
      if (r["type"] === "added") e.linesAdded += num(r, "claude_code_lines_of_code_count");
      if (r["decision"] === "accept") e.acceptedEdits += num(r, "claude_code_code_edit_tool_decision");
      e.activeSeconds += num(r, "claude_code_active_time_total");
      users.set(email, e);
      per.set(month, users);
    }
    const out = new Map<string, Array<[string, Row]>>();
    for (const [month, users] of per) {
      const ranked = [...users.entries()]
        .filter(([, e]) => e.tokens > 0)
        .sort((a, b) => b[1].cost - a[1].cost || b[1].tokens - a[1].tokens || (a[0] < b[0] ? -1 : 1));
      out.set(month, ranked.slice(0, limit));
    }
    return out;
  }

  cacheByModel() {
    const out = new Map<string, { input: number; cacheRead: number; cacheWrite: number }>();
    for (const r of this.between(dayAgo(this.today, 30))) {
      const t = tokensOf(r);
      if (t === null) continue;
      const e = out.get(String(r["model"])) ?? { input: 0, cacheRead: 0, cacheWrite: 0 };
      if (r["type"] === "input") e.input += t;
      if (r["type"] === "cacheRead") e.cacheRead += t;
      if (r["type"] === "cacheCreation") e.cacheWrite += t;
      out.set(String(r["model"]), e);
    }
    return out;
  }

  /** Savings per `email|model` for event days in [first, last]. */
  cacheSavings(first: string, last: string) {
    const per = new Map<string, { model: string; cacheRead: number; cacheWrite: number }>();
    for (const r of this.between(first, last)) {
      const t = tokensOf(r);
      if (t === null || (r["type"] !== "cacheRead" && r["type"] !== "cacheCreation")) continue;
      const key = `${this.email(r)}|${r["model"]}`;
      const e = per.get(key) ?? { model: String(r["model"]), cacheRead: 0, cacheWrite: 0 };
      if (r["type"] === "cacheRead") e.cacheRead += t;
      else e.cacheWrite += t;
      per.set(key, e);
    }
    const out = new Map<string, { cacheRead: number; cacheWrite: number; saved: number | undefined }>();
    for (const [key, e] of per) {
      const p = this.prices.get(e.model);
      const saved = p ? (e.cacheRead / 1e6) * (p.input - p.cacheRead) - (e.cacheWrite / 1e6) * (p.cacheWrite - p.input) : undefined;
      out.set(key, { cacheRead: e.cacheRead, cacheWrite: e.cacheWrite, saved });
    }
    return out;
  }

  dailyCost() {
    const out = new Map<string, { cost: number; activeUsers: Set<string> }>();
    for (const r of this.between(dayAgo(this.today, 90))) {
      const e = out.get(eventDay(r)) ?? { cost: 0, activeUsers: new Set<string>() };
      e.cost += this.cost(r) ?? 0;
      this.active(e.activeUsers, r);
      out.set(eventDay(r), e);
    }
    return new Map([...out.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }

  unpricedModels() {
    const out = new Map<string, { tokens: number; users: Set<string> }>();
    for (const r of this.between(dayAgo(this.today, 90))) {
      const t = tokensOf(r);
      if (t === null || this.prices.has(String(r["model"]))) continue;
      const e = out.get(String(r["model"])) ?? { tokens: 0, users: new Set<string>() };
      e.tokens += t;
      const email = this.email(r);
      if (email !== null) e.users.add(email);
      out.set(String(r["model"]), e);
    }
    return out;
  }
}
