/**
 * A realistic, deterministic data set of Claude Code metric records (seeded PRNG): a few hundred
 * users in departments and teams, adopting over two months, with sessions, tokens of all four types
 * on three models (plus an application inference profile the pricing table does not know), the
 * client's cost estimate, lines of code, edit decisions per language, active time, commits and pull
 * requests. Records have the columns Firehose writes (see `schema.ts`) and the arrival day `dt`.
 *
 * Deliberate edge cases the SQL must get right: users whose token lacks department/team claims
 * (resolved through the user directory, one of them listed twice and in upper case), users in
 * neither (→ `unassigned`), data points exported just before midnight UTC that arrive the next day,
 * users whose prompt caching costs more than it saves, an unpriced model id, records without an
 * email (a client whose collector lost the identity: they count in totals, never as a user), and
 * sessions started without a prompt (not activity).
 */
import { METRIC, UNSPECIFIED, type TokenType } from "../schema";
import { emfLine, firehoseRowOf } from "./firehose";

/** One row as it sits in the Parquet files, plus its partition. */
export type MetricRow = Record<string, string | number | null | { timestamp: number }> & { dt: string };

export interface DirectoryRow {
  readonly user_email: string;
  readonly department: string;
  readonly team: string;
  readonly cost_center: string;
}

export interface DataSet {
  readonly rows: MetricRow[];
  readonly directory: DirectoryRow[];
  /** First and last day of the data (UTC, `yyyy-MM-dd`). */
  readonly firstDay: string;
  readonly lastDay: string;
  readonly users: number;
}

/** mulberry32: small, fast, good enough for test data, and the same sequence on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ORG: ReadonlyArray<{ department: string; teams: ReadonlyArray<{ team: string; costCenter: string; weight: number }> }> = [
  {
    department: "engineering",
    teams: [
      { team: "platform", costCenter: "CC-1001", weight: 3 },
      { team: "payments", costCenter: "CC-2001", weight: 3 },
      { team: "mobile", costCenter: "CC-4001", weight: 2 },
      { team: "web", costCenter: "CC-4002", weight: 3 },
    ],
  },
  {
    department: "research",
    teams: [
      { team: "data-science", costCenter: "CC-3001", weight: 2 },
      { team: "ml-infra", costCenter: "CC-3002", weight: 1 },
    ],
  },
  { department: "product", teams: [{ team: "design-systems", costCenter: "CC-5001", weight: 1 }] },
  { department: "finance", teams: [{ team: "finance-eng", costCenter: "CC-6001", weight: 1 }] },
];

export const MODELS = {
  sonnet: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  haiku: "us.anthropic.claude-haiku-4-5-20251001-v1:0",
  opus: "global.anthropic.claude-opus-4-5-20251101-v1:0",
  /** An application inference profile the stage did not alias: must show up as unpriced. */
  unpriced: "arn:aws:bedrock:us-east-1:222222222222:application-inference-profile/team-x1",
} as const;

/** List prices the client uses for its own estimate (the estimate is deliberately not the truth). */
const CLIENT_PRICE: Record<string, [number, number, number, number]> = {
  [MODELS.sonnet]: [3, 15, 0.3, 3.75],
  [MODELS.haiku]: [1, 5, 0.1, 1.25],
  [MODELS.opus]: [5, 25, 0.5, 6.25],
  [MODELS.unpriced]: [3, 15, 0.3, 3.75],
};

const LANGUAGES: ReadonlyArray<[string, number, number]> = [
  // language, weight, acceptance probability
  ["TypeScript", 30, 0.86],
  ["Python", 25, 0.82],
  ["Go", 10, 0.9],
  ["Java", 8, 0.74],
  ["Kotlin", 5, 0.78],
  ["Swift", 5, 0.7],
  ["SQL", 6, 0.93],
  ["Markdown", 8, 0.97],
  ["unknown", 3, 0.6],
];

const FIRST = [
  "ana",
  "ben",
  "chen",
  "dana",
  "eli",
  "fatima",
  "gus",
  "hana",
  "ivan",
  "jo",
  "kofi",
  "lea",
  "mia",
  "noah",
  "omar",
  "priya",
  "quinn",
  "rosa",
  "sam",
  "tara",
  "uma",
  "vic",
  "wen",
  "xavi",
  "yara",
  "zoe",
];
const LAST = [
  "ng",
  "ortiz",
  "park",
  "quist",
  "rao",
  "silva",
  "tan",
  "ueda",
  "vogel",
  "wong",
  "xu",
  "young",
  "zeller",
  "adams",
  "berg",
  "cruz",
];

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dtOf = (ms: number) => isoDay(ms).replace(/-/g, "/");

function pick<T>(rand: () => number, items: ReadonlyArray<T>, weight: (t: T) => number): T {
  const total = items.reduce((s, t) => s + weight(t), 0);
  let x = rand() * total;
  for (const t of items) {
    x -= weight(t);
    if (x < 0) return t;
  }
  return items[items.length - 1]!;
}

interface User {
  email: string;
  department: string;
  team: string;
  costCenter: string;
  /** Where department/team come from: the token's claims, the directory only, or nowhere. */
  attribution: "claims" | "directory" | "none";
  joinDay: number;
  intensity: number;
  /** Share of prompt tokens read from cache; low values with many writes = misconfigured caching. */
  cacheReuse: number;
  models: ReadonlyArray<readonly [string, number]>;
}

export interface GenerateOptions {
  readonly seed?: number;
  readonly users?: number;
  /** First day, `yyyy-MM-dd` (UTC). */
  readonly start?: string;
  readonly days?: number;
}

export function generateDataSet(opts: GenerateOptions = {}): DataSet {
  const rand = prng(opts.seed ?? 20260901);
  const userCount = opts.users ?? 300;
  const startMs = Date.parse(`${opts.start ?? "2026-09-01"}T00:00:00Z`);
  const days = opts.days ?? 61;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

  const users: User[] = [];
  const seen = new Set<string>();
  for (let i = 0; users.length < userCount; i++) {
    const base = `${FIRST[int(0, FIRST.length - 1)]}.${LAST[int(0, LAST.length - 1)]}`;
    const email = seen.has(base) ? `${base}${i}@example.com` : `${base}@example.com`;
    seen.add(base);
    const dept = pick(rand, ORG, (d) => d.teams.reduce((s, t) => s + t.weight, 0));
    const team = pick(rand, dept.teams, (t) => t.weight);
    const r = rand();
    const attribution = r < 0.72 ? "claims" : r < 0.94 ? "directory" : "none";
    const early = rand() < 0.55;
    const heavy = rand() < 0.1;
    const badCache = rand() < 0.06;
    const opusUser = dept.department === "research" || rand() < 0.12;
    users.push({
      email,
      department: dept.department,
      team: team.team,
      costCenter: team.costCenter,
      attribution,
      joinDay: early ? 0 : int(3, Math.max(3, days - 10)),
      intensity: (heavy ? 3 : 1) * (0.4 + rand() * 1.2),
      cacheReuse: badCache ? 0.02 + rand() * 0.05 : 0.55 + rand() * 0.4,
      models: [
        [MODELS.sonnet, 70],
        [MODELS.haiku, 20],
        ...(opusUser ? ([[MODELS.opus, 15]] as const) : []),
        ...(i % 37 === 5 ? ([[MODELS.unpriced, 5]] as const) : []),
      ],
    });
  }

  const directory: DirectoryRow[] = [];
  for (const u of users) {
    if (u.attribution === "none") continue;
    directory.push({ user_email: u.email, department: u.department, team: u.team, cost_center: u.costCenter });
  }
  // HR exports are messy: one user twice, one in upper case.
  const dupe = users.find((u) => u.attribution === "directory")!;
  directory.push({ user_email: dupe.email, department: dupe.department, team: dupe.team, cost_center: dupe.costCenter });
  const upper = directory.findIndex(
    (d) => users.find((u) => u.email === d.user_email)?.attribution === "directory" && d.user_email !== dupe.email,
  );
  directory[upper] = { ...directory[upper]!, user_email: directory[upper]!.user_email.toUpperCase() };

  const rows: MetricRow[] = [];
  const emit = (u: User, sessionId: string, ts: number, metric: string, value: number, attrs: Record<string, string>) => {
    const arrival = ts + int(5, 290) * 1000;
    // The collector writes "unspecified" when the token lacks the claim.
    const claims = u.attribution === "claims";
    const line = emfLine(metric, value, ts, {
      "user.email": u.email,
      department: claims ? u.department : UNSPECIFIED,
      team: claims ? u.team : UNSPECIFIED,
      cost_center: claims ? u.costCenter : UNSPECIFIED,
      "session.id": sessionId,
      "terminal.type": ["vscode", "iTerm.app", "tmux", "cursor"][u.email.length % 4]!,
      ...attrs,
    });
    rows.push({ ...(firehoseRowOf(line) as MetricRow), dt: dtOf(arrival) });
  };

  let sessionSeq = 0;
  for (let d = 0; d < days; d++) {
    const dayMs = startMs + d * DAY_MS;
    const weekday = new Date(dayMs).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    for (const u of users) {
      if (d < u.joinDay) continue;
      if (rand() > (weekend ? 0.08 : 0.72)) continue;
      const sessions = int(1, u.intensity > 2 ? 4 : 2);
      for (let s = 0; s < sessions; s++) {
        const sessionId = `s-${(++sessionSeq).toString(36).padStart(6, "0")}`;
        // Most work between 07:00 and 19:00 UTC; some sessions end just before midnight.
        const late = rand() < 0.03;
        let ts = dayMs + (late ? 23 * 3600_000 + int(55, 59) * 60_000 : int(7 * 60, 19 * 60) * 60_000);
        emit(u, sessionId, ts, METRIC.sessions, 1, {
          start_type: pick(
            rand,
            [
              ["fresh", 6],
              ["resume", 2],
              ["continue", 2],
            ] as const,
            (x) => x[1],
          )[0],
        });
        const exports = late ? 1 : int(1, 3);
        for (let e = 0; e < exports; e++) {
          ts += 60_000 * int(1, 20);
          const model = pick(rand, u.models, (m) => m[1])[0];
          const scale = u.intensity * (model === MODELS.haiku ? 0.6 : 1);
          const prompt = Math.round(int(60_000, 900_000) * scale);
          const cacheRead = Math.round(prompt * u.cacheReuse);
          const cacheWrite = Math.round((prompt - cacheRead) * (u.cacheReuse < 0.1 ? 0.9 : 0.3 + rand() * 0.3));
          const input = prompt - cacheRead - cacheWrite;
          const output = Math.round(int(3_000, 40_000) * scale);
          const tokens: Record<TokenType, number> = { input, output, cacheRead, cacheCreation: cacheWrite };
          const querySource = rand() < 0.8 ? "main" : "subagent";
          for (const [type, n] of Object.entries(tokens))
            emit(u, sessionId, ts, METRIC.tokens, n, { type, model, query_source: querySource });
          const [pi, po, pr, pw] = CLIENT_PRICE[model]!;
          const estimate = (input * pi + output * po + cacheRead * pr + cacheWrite * pw) / 1e6;
          emit(u, sessionId, ts, METRIC.cost, Math.round(estimate * 1e6) / 1e6, { model, query_source: querySource });
          const added = int(0, Math.round(120 * scale));
          if (added > 0) {
            emit(u, sessionId, ts, METRIC.linesOfCode, added, { type: "added", model });
            emit(u, sessionId, ts, METRIC.linesOfCode, int(0, Math.round(added * 0.4)), { type: "removed", model });
          }
          const [language, , acceptP] = pick(rand, LANGUAGES, (l) => l[1]);
          const edits = int(0, 8);
          const accepted = Array.from({ length: edits }, () => rand() < acceptP).filter(Boolean).length;
          const tool = rand() < 0.8 ? "Edit" : "Write";
          if (accepted > 0)
            emit(u, sessionId, ts, METRIC.editDecisions, accepted, {
              decision: "accept",
              language,
              tool_name: tool,
              source: "user_temporary",
            });
          if (edits - accepted > 0)
            emit(u, sessionId, ts, METRIC.editDecisions, edits - accepted, {
              decision: "reject",
              language,
              tool_name: tool,
              source: "user_reject",
            });
          emit(u, sessionId, ts, METRIC.activeTime, int(30, 900), { type: "user" });
          emit(u, sessionId, ts, METRIC.activeTime, int(60, 1800), { type: "cli" });
          if (rand() < 0.15) emit(u, sessionId, ts, METRIC.commits, int(1, 3), {});
          if (rand() < 0.03) emit(u, sessionId, ts, METRIC.pullRequests, 1, {});
        }
      }
    }
  }
  // Sessions opened and closed without a prompt: a session count, no tokens (not an active user).
  const idle = users.slice(0, Math.max(1, Math.floor(users.length / 20)));
  for (let d = 0; d < days; d += 3) {
    for (const u of idle)
      emit(u, `idle-${d}-${u.email}`, startMs + d * DAY_MS + int(6 * 60, 20 * 60) * 60_000, METRIC.sessions, 1, { start_type: "fresh" });
  }
  // Records without an email, some of them exported just before midnight.
  for (let d = 0; d < days; d += 2) {
    const ts = startMs + d * DAY_MS + (d % 4 === 0 ? 23 * 3600_000 + 59 * 60_000 + 58_000 : int(8 * 60, 18 * 60) * 60_000);
    const arrival = ts + int(5, 290) * 1000;
    const attrs = { "session.id": `anon-${d}`, model: MODELS.sonnet, query_source: "main" };
    for (const [type, n] of [
      ["input", int(1_000, 50_000)],
      ["output", int(500, 8_000)],
      ["cacheRead", int(0, 90_000)],
      ["cacheCreation", int(0, 20_000)],
    ] as const) {
      rows.push({
        ...(firehoseRowOf(
          emfLine(METRIC.tokens, n, ts, { ...attrs, type, department: UNSPECIFIED, team: UNSPECIFIED, cost_center: UNSPECIFIED }),
        ) as MetricRow),
        dt: dtOf(arrival),
      });
    }
    rows.push({
      ...(firehoseRowOf(
        emfLine(METRIC.cost, 0.05, ts, { ...attrs, department: UNSPECIFIED, team: UNSPECIFIED, cost_center: UNSPECIFIED }),
      ) as MetricRow),
      dt: dtOf(arrival),
    });
  }
  return { rows, directory, firstDay: isoDay(startMs), lastDay: isoDay(startMs + (days - 1) * DAY_MS), users: users.length };
}
