import { AGG, AGG_DIM, ATTR, CC, OPERATION_CATEGORIES, type Board } from "./metrics";
import type { DashboardParts } from "./dashboard-sections";

/** The leaderboards and the code-activity sections of the dashboard. */

/** Leaderboards (last 7 days). */
export function leaderboardSection(p: DashboardParts): void {
  const { ns, agg, top, L, base, sql } = p;
  L.section("Leaderboards (last 7 days)", `Top ${top} users, computed by the aggregation Lambda from the collector's records.`);
  const boards: readonly [Board, string][] = [
    ["tokens", "Tokens"],
    ["cost", "Estimated cost (USD)"],
    ["lines", "Lines of code added + removed"],
    ["session-time", "Active time (hours)"],
    ["cache-savings", "Prompt-cache savings (USD)"],
  ];
  boards.forEach(([board, title]) => {
    L.add(
      "metric",
      board === "cache-savings" ? 8 : 8,
      6,
      base(title, {
        view: "bar",
        stat: "Maximum",
        metrics: [
          sql(`lb${board.replace(/-/g, "")}`, "", {
            stat: "MAX",
            namespace: agg,
            metric: AGG.leaderboard,
            schema: [AGG_DIM.board, AGG_DIM.window, AGG_DIM.email],
            where: { [AGG_DIM.board]: board, [AGG_DIM.window]: "7d" },
            groupBy: [AGG_DIM.email],
            limit: top,
          }),
        ],
      }),
    );
  });
  L.add(
    "metric",
    8,
    6,
    base("Top users by tokens (now)", {
      view: "bar",
      metrics: [
        sql("topnow", "", {
          stat: "SUM",
          namespace: ns,
          metric: CC.tokens,
          schema: [ATTR.type, ATTR.email, ATTR.model],
          groupBy: [ATTR.email],
          limit: top,
        }),
      ],
    }),
  );
}

/** Code activity: lines, acceptance, operations, sessions, active time. */
export function codeActivitySection(p: DashboardParts): void {
  const { ns, L, base, aggRow, sql } = p;
  L.section(
    "Code activity",
    "Lines added and removed, edit acceptance, operations from Claude Code's tool decisions, sessions, commits and pull requests.",
  );
  L.add(
    "metric",
    8,
    6,
    base("Lines of code", {
      view: "timeSeries",
      metrics: ["added", "removed"].map((t) => [ns, CC.linesOfCode, ATTR.type, t, { label: t }]),
    }),
  );
  L.add(
    "metric",
    8,
    6,
    base("Code acceptance rate (%)", {
      view: "timeSeries",
      yAxis: { left: { min: 0, max: 100 } },
      metrics: [
        [{ expression: "100 * a / (a + r)", id: "rate", label: "accepted edits" }],
        [ns, CC.editDecisions, ATTR.decision, "accept", { id: "a", visible: false }],
        [ns, CC.editDecisions, ATTR.decision, "reject", { id: "r", visible: false }],
      ],
    }),
  );
  L.add(
    "metric",
    8,
    6,
    base("Operations (last hour)", {
      view: "pie",
      stat: "Maximum",
      metrics: OPERATION_CATEGORIES.map((c) => aggRow(AGG.operations, { [AGG_DIM.category]: c, [AGG_DIM.window]: "1h" }, { label: c })),
    }),
  );
  L.add(
    "metric",
    8,
    6,
    base("Accepted edits by language", {
      view: "bar",
      metrics: [
        sql("lang", "", {
          stat: "SUM",
          namespace: ns,
          metric: CC.editDecisions,
          schema: [ATTR.language, ATTR.decision],
          where: { [ATTR.decision]: "accept" },
          groupBy: [ATTR.language],
          limit: 15,
        }),
      ],
    }),
  );
  L.add(
    "metric",
    8,
    6,
    base("Sessions, commits, pull requests", {
      view: "timeSeries",
      metrics: [
        [ns, CC.sessions, { label: "sessions" }],
        [ns, CC.commits, { label: "commits" }],
        [ns, CC.pullRequests, { label: "pull requests" }],
      ],
    }),
  );
  L.add(
    "metric",
    8,
    6,
    base("Active time (hours)", {
      view: "timeSeries",
      stacked: true,
      metrics: [
        [{ expression: "u / 3600", id: "uh", label: "user (typing)" }],
        [{ expression: "c / 3600", id: "ch", label: "cli (tools and model)" }],
        [ns, CC.activeTime, ATTR.type, "user", { id: "u", visible: false }],
        [ns, CC.activeTime, ATTR.type, "cli", { id: "c", visible: false }],
      ],
    }),
  );
}
