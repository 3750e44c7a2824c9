/**
 * The answers to the named queries computed directly from the generated records in TypeScript, with
 * no SQL: the independent side of the comparison in `queries.test.ts`. Semantics (documented in
 * docs/analytics.md): days are the arrival day `dt`; windows are "dt on or after the floor"; department
 * and team come from the data point's claims, else the user directory (emails case-insensitive), else
 * `unassigned`; cost = tokens × the model's price for that token type; unpriced models cost nothing
 * and are reported.
 */
import type { PricingRow } from "../pricing";
import { UNSPECIFIED } from "../schema";
import type { DataSet, MetricRow } from "./generate";

const DAY_MS = 86_400_000;
const dtOfMs = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, "/");
const msOfDt = (dt: string) => Date.parse(`${dt.replace(/\//g, "-")}T00:00:00Z`);

export function floorDaysAgo(today: string, days: number): string {
  return dtOfMs(Date.parse(`${today}T00:00:00Z`) - days * DAY_MS);
}
export function floorMonthsAgo(today: string, months: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  return dtOfMs(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1));
}
const monthOf = (dt: string) => `${dt.slice(0, 4)}-${dt.slice(5, 7)}`;
const dayOf = (dt: string) => dt.replace(/\//g, "-");
export function mondayOf(dt: string): string {
  const ms = msOfDt(dt);
  const dow = (new Date(ms).getUTCDay() + 6) % 7;
  return dtOfMs(ms - dow * DAY_MS).replace(/\//g, "-");
}

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

  email(r: MetricRow): string {
    return String(r["user_email"]).toLowerCase();
  }
  private claim(r: MetricRow, key: string): string | undefined {
    const v = r[key] as string | null;
    return v && v !== UNSPECIFIED ? v : undefined;
  }
  department(r: MetricRow): string {
    return this.claim(r, "department") ?? this.directory.get(this.email(r))?.department ?? "unassigned";
  }
  team(r: MetricRow): string {
    return this.claim(r, "team") ?? this.directory.get(this.email(r))?.team ?? "unassigned";
  }
  /** USD of a token record, or undefined when the model has no price. */
  cost(r: MetricRow): number | undefined {
    const tokens = r["claude_code_token_usage"] as number | null;
    if (tokens === null) return 0;
    const p = this.prices.get(String(r["model"]));
    if (!p) return undefined;
    const rate = { input: p.input, output: p.output, cacheRead: p.cacheRead, cacheCreation: p.cacheWrite }[String(r["type"]) as "input"];
    return (tokens / 1e6) * rate;
  }
  since(floor: string): MetricRow[] {
    return this.data.rows.filter((r) => r.dt >= floor);
  }
  private value(r: MetricRow, col: string): number {
    return (r[col] as number | null) ?? 0;
  }

  monthlyTokensByDepartment() {
    const out = new Map<string, { usage_month: string; department: string; users: Set<string>; input: number; output: number; cacheRead: number; cacheWrite: number; total: number }>();
    for (const r of this.since(floorMonthsAgo(this.today, 11))) {
      const t = r["claude_code_token_usage"] as number | null;
      if (t === null) continue;
      const key = `${monthOf(r.dt)}|${this.department(r)}`;
      const e = out.get(key) ?? { usage_month: monthOf(r.dt), department: this.department(r), users: new Set<string>(), input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 };
      e.users.add(this.email(r));
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

  acceptanceByLanguage() {
    const out = new Map<string, { accepted: number; rejected: number; users: Set<string> }>();
    for (const r of this.since(floorDaysAgo(this.today, 90))) {
      const n = r["claude_code_code_edit_tool_decision"] as number | null;
      if (n === null) continue;
      const lang = (r["language"] as string | null) || "unknown";
      const e = out.get(lang) ?? { accepted: 0, rejected: 0, users: new Set<string>() };
      if (r["decision"] === "accept") e.accepted += n;
      if (r["decision"] === "reject") e.rejected += n;
      e.users.add(this.email(r));
      out.set(lang, e);
    }
    return out;
  }

  efficiencyByTeam() {
    const out = new Map<string, { users: Set<string>; total: number; output: number; cacheRead: number; prompt: number; cost: number; linesAdded: number; acceptedEdits: number }>();
    for (const r of this.since(floorDaysAgo(this.today, 90))) {
      const team = this.team(r);
      const e = out.get(team) ?? { users: new Set<string>(), total: 0, output: 0, cacheRead: 0, prompt: 0, cost: 0, linesAdded: 0, acceptedEdits: 0 };
      e.users.add(this.email(r));
      const t = r["claude_code_token_usage"] as number | null;
      if (t !== null) {
        e.total += t;
        if (r["type"] === "output") e.output += t;
        else e.prompt += t;
        if (r["type"] === "cacheRead") e.cacheRead += t;
        e.cost += this.cost(r) ?? 0;
      }
      if (r["type"] === "added") e.linesAdded += this.value(r, "claude_code_lines_of_code_count");
      if (r["decision"] === "accept") e.acceptedEdits += this.value(r, "claude_code_code_edit_tool_decision");
      out.set(team, e);
    }
    return out;
  }

  costByUser() {
    const out = new Map<string, { tokens: number; cost: number; unpriced: number; estimate: number; department: string; team: string }>();
    for (const r of this.since(floorMonthsAgo(this.today, 2))) {
      const key = `${monthOf(r.dt)}|${this.email(r)}`;
      const t = r["claude_code_token_usage"] as number | null;
      const est = r["claude_code_cost_usage"] as number | null;
      if (t === null && est === null) continue;
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
    const out = new Map<string, { cost: number; users: Set<string> }>();
    for (const r of this.since(floorMonthsAgo(this.today, 11))) {
      if (r["claude_code_token_usage"] === null) continue;
      const key = `${monthOf(r.dt)}|${this.department(r)}`;
      const e = out.get(key) ?? { cost: 0, users: new Set<string>() };
      e.cost += this.cost(r) ?? 0;
      e.users.add(this.email(r));
      out.set(key, e);
    }
    return out;
  }

  dailyActiveUsers() {
    const out = new Map<string, { users: Set<string>; sessions: number }>();
    for (const r of this.since(floorDaysAgo(this.today, 90))) {
      const e = out.get(dayOf(r.dt)) ?? { users: new Set<string>(), sessions: 0 };
      e.users.add(this.email(r));
      e.sessions += this.value(r, "claude_code_session_count");
      out.set(dayOf(r.dt), e);
    }
    return out;
  }

  weeklyActiveUsers() {
    const out = new Map<string, Set<string>>();
    for (const r of this.since(floorDaysAgo(this.today, 182))) {
      const w = mondayOf(r.dt);
      const s = out.get(w) ?? new Set<string>();
      s.add(this.email(r));
      out.set(w, s);
    }
    return out;
  }

  topUsers(limit = 25) {
    const per = new Map<string, { tokens: number; cost: number; sessions: number; linesAdded: number; acceptedEdits: number; activeSeconds: number }>();
    for (const r of this.since(floorDaysAgo(this.today, 30))) {
      const e = per.get(this.email(r)) ?? { tokens: 0, cost: 0, sessions: 0, linesAdded: 0, acceptedEdits: 0, activeSeconds: 0 };
      e.tokens += this.value(r, "claude_code_token_usage");
      e.cost += this.cost(r) ?? 0;
      e.sessions += this.value(r, "claude_code_session_count");
      if (r["type"] === "added") e.linesAdded += this.value(r, "claude_code_lines_of_code_count");
      if (r["decision"] === "accept") e.acceptedEdits += this.value(r, "claude_code_code_edit_tool_decision");
      e.activeSeconds += this.value(r, "claude_code_active_time_total");
      per.set(this.email(r), e);
    }
    return [...per.entries()].sort((a, b) => b[1].tokens - a[1].tokens || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
  }

  cacheByModel() {
    const out = new Map<string, { input: number; cacheRead: number; cacheWrite: number }>();
    for (const r of this.since(floorDaysAgo(this.today, 30))) {
      const t = r["claude_code_token_usage"] as number | null;
      if (t === null) continue;
      const e = out.get(String(r["model"])) ?? { input: 0, cacheRead: 0, cacheWrite: 0 };
      if (r["type"] === "input") e.input += t;
      if (r["type"] === "cacheRead") e.cacheRead += t;
      if (r["type"] === "cacheCreation") e.cacheWrite += t;
      out.set(String(r["model"]), e);
    }
    return out;
  }

  cacheSavings() {
    const per = new Map<string, { email: string; model: string; cacheRead: number; cacheWrite: number }>();
    for (const r of this.since(floorDaysAgo(this.today, 30))) {
      const t = r["claude_code_token_usage"] as number | null;
      if (t === null || (r["type"] !== "cacheRead" && r["type"] !== "cacheCreation")) continue;
      const key = `${this.email(r)}|${r["model"]}`;
      const e = per.get(key) ?? { email: this.email(r), model: String(r["model"]), cacheRead: 0, cacheWrite: 0 };
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
    const out = new Map<string, { cost: number; users: Set<string> }>();
    for (const r of this.since(floorDaysAgo(this.today, 90))) {
      const e = out.get(dayOf(r.dt)) ?? { cost: 0, users: new Set<string>() };
      e.cost += this.cost(r) ?? 0;
      e.users.add(this.email(r));
      out.set(dayOf(r.dt), e);
    }
    return new Map([...out.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }

  unpricedModels() {
    const out = new Map<string, { tokens: number; users: Set<string> }>();
    for (const r of this.since(floorDaysAgo(this.today, 90))) {
      const t = r["claude_code_token_usage"] as number | null;
      if (t === null || this.prices.has(String(r["model"]))) continue;
      const e = out.get(String(r["model"])) ?? { tokens: 0, users: new Set<string>() };
      e.tokens += t;
      e.users.add(this.email(r));
      out.set(String(r["model"]), e);
    }
    return out;
  }
}
