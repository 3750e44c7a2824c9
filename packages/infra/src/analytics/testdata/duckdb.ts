/**
 * Runs the analytics SQL in DuckDB over files laid out the way the deployed pipeline lays them out:
 * Parquet under `metrics/yyyy/MM/dd/` (Firehose's `!{timestamp:yyyy/MM/dd}` prefix), the pricing CSV
 * under `pricing/` and the user directory CSV under `user-directory/`.
 *
 * The dialect shim, and all of it (tested in `queries.test.ts`):
 * 1. The three tables are DuckDB views with the Glue tables' names and columns; `metrics.dt` comes from
 *    the object's path, as partition projection derives it in Athena.
 * 2. `current_date` is replaced by a fixed date, so answers do not depend on when the test runs.
 * 3. DuckDB has no `from_unixtime`; a macro gives it Trino's meaning (seconds since the epoch → UTC
 *    timestamp; `make_timestamp` takes microseconds and returns a zone-less UTC timestamp).
 * The SQL text is otherwise executed exactly as stored in the named queries.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { pricingCsv, type PricingRow } from "../pricing";
import {
  METRICS_COLUMNS,
  METRICS_PREFIX,
  PRICING_COLUMNS,
  PRICING_OBJECT_KEY,
  TABLE,
  USER_DIRECTORY_COLUMNS,
  USER_DIRECTORY_PREFIX,
} from "../schema";
import type { DataSet } from "./generate";

const DUCK_TYPE: Record<string, string> = {
  string: "VARCHAR",
  double: "DOUBLE",
  bigint: "BIGINT",
  "struct<timestamp:bigint>": 'STRUCT("timestamp" BIGINT)',
};

/** The shim's second half: pins `current_date`. */
export function pinCurrentDate(sql: string, today: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error(`today must be yyyy-MM-dd, got ${today}`);
  return sql.replace(/\bcurrent_date\b/gi, `DATE '${today}'`);
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The pricing table's rows, or its CSV object exactly as a writer stored it (the price source's). */
export type LakePricing = readonly PricingRow[] | { readonly csv: string };

/** Writes the data set as Firehose would have written it, plus the reference CSVs. */
export async function writeLake(conn: DuckDBConnection, root: string, data: DataSet, pricing: LakePricing): Promise<{ objects: number }> {
  const plain = METRICS_COLUMNS.filter((c) => c.type !== "struct<timestamp:bigint>");
  await conn.run(
    `CREATE TEMP TABLE staging (${plain.map((c) => `"${c.name}" ${DUCK_TYPE[c.type]}`).join(", ")}, emf_ts BIGINT, dt VARCHAR, rn BIGINT)`,
  );
  const appender = await conn.createAppender("staging");
  data.rows.forEach((row, i) => {
    for (const c of plain) {
      const v = row[c.name];
      if (v === null || v === undefined) appender.appendNull();
      else if (c.type === "double") appender.appendDouble(v as number);
      else appender.appendVarchar(v as string);
    }
    appender.appendBigInt(BigInt((row["emf"] as { timestamp: number }).timestamp));
    appender.appendVarchar(row.dt);
    appender.appendBigInt(BigInt(i));
    appender.endRow();
  });
  appender.closeSync();
  const days = (await conn.runAndReadAll(`SELECT DISTINCT dt FROM staging ORDER BY dt`)).getRowObjectsJson().map((r) => String(r["dt"]));
  const select = METRICS_COLUMNS.map((c) =>
    c.type === "struct<timestamp:bigint>" ? `{'timestamp': emf_ts} AS "${c.name}"` : `"${c.name}"`,
  ).join(", ");
  let objects = 0;
  for (const dt of days) {
    const dir = join(root, METRICS_PREFIX, dt);
    mkdirSync(dir, { recursive: true });
    // Two objects per day, as several buffer flushes would produce.
    for (const half of [0, 1]) {
      const file = join(dir, `ccb-analytics-1-${dt.replace(/\//g, "-")}-${half}.parquet`);
      await conn.run(
        `COPY (SELECT ${select} FROM staging WHERE dt = ${quote(dt)} AND rn % 2 = ${half}) TO ${quote(file)} (FORMAT PARQUET, COMPRESSION SNAPPY)`,
      );
      objects++;
    }
  }
  await conn.run(`DROP TABLE staging`);
  mkdirSync(join(root, "pricing"), { recursive: true });
  writeFileSync(join(root, PRICING_OBJECT_KEY), "csv" in pricing ? pricing.csv : pricingCsv(pricing));
  mkdirSync(join(root, USER_DIRECTORY_PREFIX), { recursive: true });
  const header = USER_DIRECTORY_COLUMNS.map((c) => c.name).join(",");
  writeFileSync(
    join(root, USER_DIRECTORY_PREFIX, "users.csv"),
    [header, ...data.directory.map((d) => [d.user_email, d.department, d.team, d.cost_center].join(","))].join("\n") + "\n",
  );
  return { objects };
}

/** The shim's first half: views with the Glue tables' names over the lake. */
export async function createViews(conn: DuckDBConnection, root: string): Promise<void> {
  const metricCols = METRICS_COLUMNS.map((c) => `"${c.name}"`).join(", ");
  const glob = join(root, METRICS_PREFIX, "*", "*", "*", "*.parquet");
  await conn.run(
    `CREATE OR REPLACE VIEW ${TABLE.metrics} AS SELECT ${metricCols}, regexp_extract(filename, '(\\d{4}/\\d{2}/\\d{2})/[^/]+$', 1) AS dt FROM read_parquet(${quote(glob)}, filename = true)`,
  );
  const csvCols = (cols: typeof PRICING_COLUMNS) => `{${cols.map((c) => `'${c.name}': '${DUCK_TYPE[c.type]}'`).join(", ")}}`;
  await conn.run(
    `CREATE OR REPLACE VIEW ${TABLE.pricing} AS SELECT * FROM read_csv(${quote(join(root, "pricing", "*.csv"))}, header = true, columns = ${csvCols(PRICING_COLUMNS)})`,
  );
  await conn.run(
    `CREATE OR REPLACE VIEW ${TABLE.userDirectory} AS SELECT * FROM read_csv(${quote(join(root, USER_DIRECTORY_PREFIX, "*.csv"))}, header = true, columns = ${csvCols(USER_DIRECTORY_COLUMNS)})`,
  );
}

/** The shim's third part: Trino's `from_unixtime(seconds)` for DuckDB. */
export const FROM_UNIXTIME_MACRO = `CREATE OR REPLACE MACRO from_unixtime(s) AS make_timestamp(CAST(floor(s * 1000000) AS BIGINT))`;

export interface Lake {
  readonly conn: DuckDBConnection;
  /** Runs a stored query's SQL with `current_date` pinned; rows as plain JSON values. */
  run(sql: string, params?: readonly string[]): Promise<Record<string, unknown>[]>;
  close(): void;
}

export async function openLake(root: string, data: DataSet, pricing: LakePricing, today: string): Promise<Lake & { objects: number }> {
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const { objects } = await writeLake(conn, root, data, pricing);
  await createViews(conn, root);
  await conn.run(FROM_UNIXTIME_MACRO);
  return {
    conn,
    objects,
    async run(sql, params) {
      const reader = await conn.runAndReadAll(pinCurrentDate(sql, today), params ? [...params] : undefined);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    },
    close() {
      conn.closeSync();
      db.closeSync();
    },
  };
}
