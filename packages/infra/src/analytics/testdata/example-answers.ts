/**
 * Prints the example answers for docs/analytics.md: every named query run in DuckDB over the same
 * generated data set the tests use (seed 20260901, 300 users, 2026-09-01 … 2026-10-31).
 *
 *   npx tsx packages/infra/src/analytics/testdata/example-answers.ts > /tmp/answers.md
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pricingRows } from "../pricing";
import { NAMED_QUERIES } from "../queries";
import { openLake } from "./duckdb";
import { generateDataSet } from "./generate";

const SHOWN: Record<string, number> = {
  "cost-by-user": 8,
  "prompt-cache-savings": 6,
  "daily-active-users": 7,
  "daily-cost-trend": 3,
  "top-users": 10,
  "code-acceptance-by-language": 9,
  "weekly-active-users": 9,
};
/** Long answers whose end matters too (negative savings sort last; the month-end projection is at the end). */
const TAIL: Record<string, number> = { "daily-cost-trend": 5 };

function table(rows: Record<string, unknown>[], limit: number, tail = 0): string {
  if (rows.length === 0) return "_(no rows)_";
  const cols = Object.keys(rows[0]!);
  const fmt = (v: unknown) =>
    (v === null ? "NULL" : typeof v === "number" && !Number.isInteger(v) ? String(v) : String(v)).replace(/\|/g, "\\|");
  const line = (r: Record<string, unknown>) => `| ${cols.map((c) => fmt(r[c])).join(" | ")} |`;
  const lines = [`| ${cols.join(" | ")} |`, `| ${cols.map(() => "---").join(" | ")} |`, ...rows.slice(0, limit).map(line)];
  const hidden = rows.length - limit - tail;
  if (hidden > 0) {
    if (tail > 0)
      lines.push(
        `| ${cols.map((_, i) => (i === 0 ? `… ${hidden} rows …` : "")).join(" | ")} |`,
        ...rows.slice(rows.length - tail).map(line),
      );
    else lines.push(`\n_… ${hidden} more rows_`);
  } else lines.push(...rows.slice(limit).map(line));
  return lines.join("\n");
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), "ccb-answers-"));
  const data = generateDataSet({ seed: 20260901, users: 300 });
  const lake = await openLake(root, data, pricingRows(), data.lastDay);
  try {
    for (const q of NAMED_QUERIES) {
      // The window-parameterised query runs over October (first day, last day, twice: see its `parameters`).
      const params = q.parameters ? q.parameters.map((n) => (n === "first_day" ? "2026-10-01" : "2026-10-31")) : undefined;
      const rows = await lake.run(q.sql, params);
      const shown = params ? `Parameters: ${params.join(", ")}.\n\n` : "";
      console.log(`### ${q.name}\n\n${q.description}\n\n${shown}${table(rows, SHOWN[q.key] ?? 12, TAIL[q.key] ?? 0)}\n`);
    }
  } finally {
    lake.close();
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
