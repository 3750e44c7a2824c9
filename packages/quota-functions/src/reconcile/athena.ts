/**
 * Runs a named query of the analytics workgroup in Athena and returns its rows by column name: find
 * the query by name (the reconciliation queries are created by the stack with fixed names), start it
 * in the workgroup (which holds the result location and encryption), poll until it ends, page the
 * results.
 */
import {
  type AthenaClient,
  GetNamedQueryCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  ListNamedQueriesCommand,
  StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";

export type Row = Record<string, string | undefined>;

export interface RunOptions {
  readonly workgroup: string;
  /** Between status polls; Athena queries over a month of CUR take seconds to a minute. */
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class QueryError extends Error {
  override name = "QueryError";
}

async function findNamedQuery(athena: AthenaClient, workgroup: string, name: string): Promise<{ sql: string; database: string }> {
  let token: string | undefined;
  do {
    const page = await athena.send(new ListNamedQueriesCommand({ WorkGroup: workgroup, ...(token ? { NextToken: token } : {}) }));
    const ids = page.NamedQueryIds ?? [];
    // One GetNamedQuery per id: a workgroup holds a dozen or two named queries.
    for (const id of ids) {
      const q = (await athena.send(new GetNamedQueryCommand({ NamedQueryId: id }))).NamedQuery;
      if (q?.Name === name && q.QueryString && q.Database) return { sql: q.QueryString, database: q.Database };
    }
    token = page.NextToken;
  } while (token);
  throw new QueryError(
    `no named query "${name}" in workgroup ${workgroup}; is the billing export enabled for this stage (analytics.billing)?`,
  );
}

export async function runNamedQuery(athena: AthenaClient, name: string, o: RunOptions): Promise<Row[]> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const { sql, database } = await findNamedQuery(athena, o.workgroup, name);
  const started = await athena.send(
    new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: o.workgroup, QueryExecutionContext: { Database: database } }),
  );
  const id = started.QueryExecutionId!;
  const deadline = Date.now() + (o.timeoutMs ?? 300_000);
  for (;;) {
    const ex = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = ex.QueryExecution?.Status?.State;
    if (state === "SUCCEEDED") break;
    if (state === "FAILED" || state === "CANCELLED")
      throw new QueryError(`"${name}" ${state.toLowerCase()}: ${ex.QueryExecution?.Status?.StateChangeReason ?? "no reason given"}`);
    if (Date.now() > deadline) throw new QueryError(`"${name}" still ${state ?? "queued"} after the timeout; query id ${id}`);
    await sleep(o.pollMs ?? 1000);
  }
  const rows: Row[] = [];
  let columns: string[] | undefined;
  let token: string | undefined;
  do {
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, ...(token ? { NextToken: token } : {}) }));
    const data = page.ResultSet?.Rows ?? [];
    let start = 0;
    if (!columns) {
      columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? "");
      // A SELECT's first result row repeats the column names.
      const first = data[0]?.Data?.map((d) => d.VarCharValue ?? "");
      if (first && first.length === columns.length && first.every((v, i) => v === columns![i])) start = 1;
    }
    for (const r of data.slice(start)) rows.push(Object.fromEntries(columns.map((c, i) => [c, r.Data?.[i]?.VarCharValue])));
    token = page.NextToken;
  } while (token);
  return rows;
}
