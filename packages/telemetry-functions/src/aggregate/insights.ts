import { GetQueryResultsCommand, StartQueryCommand, StopQueryCommand, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

export type Row = Record<string, string>;

export interface QueryDeps {
  readonly logs: CloudWatchLogsClient;
  readonly sleep: (ms: number) => Promise<void>;
}

export class QueryError extends Error {
  override name = "QueryError";
}

/**
 * Runs a Logs Insights query to completion and returns its rows as field → value maps. Polls with a
 * growing interval; stops the query and throws when it fails or takes longer than `maxWaitMs`.
 */
export async function runQuery(
  deps: QueryDeps,
  logGroup: string,
  queryString: string,
  start: Date,
  end: Date,
  maxWaitMs = 120_000,
): Promise<Row[]> {
  const started = await deps.logs.send(
    new StartQueryCommand({
      logGroupName: logGroup,
      queryString,
      startTime: Math.floor(start.getTime() / 1000),
      endTime: Math.floor(end.getTime() / 1000),
      limit: 10_000,
    }),
  );
  const queryId = started.queryId;
  if (!queryId) throw new QueryError(`Logs Insights returned no query id for ${logGroup}`);
  let waited = 0;
  let interval = 500;
  for (;;) {
    const r = await deps.logs.send(new GetQueryResultsCommand({ queryId }));
    switch (r.status) {
      case "Complete":
        return (r.results ?? []).map((fields) =>
          Object.fromEntries(fields.filter((f) => f.field && !f.field.startsWith("@ptr")).map((f) => [f.field!, f.value ?? ""])),
        );
      case "Failed":
      case "Cancelled":
      case "Timeout":
        throw new QueryError(`Logs Insights query on ${logGroup} ended ${r.status}`);
      default:
        if (waited >= maxWaitMs) {
          await deps.logs.send(new StopQueryCommand({ queryId })).catch(() => undefined);
          throw new QueryError(`Logs Insights query on ${logGroup} did not finish within ${maxWaitMs} ms`);
        }
        await deps.sleep(interval);
        waited += interval;
        interval = Math.min(interval * 2, 5_000);
    }
  }
}

/** A field reference for Logs Insights: names with dots or dashes need backticks. */
export const field = (name: string) => (/^[A-Za-z_@][A-Za-z0-9_]*$/.test(name) ? name : `\`${name}\``);
/** A string literal for Logs Insights. */
export const literal = (value: string) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
