import { GetCommand, type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { withThrottleBackoff } from "./dynamo-util.js";
import { dayKey, periodId } from "./periods.js";
import { field, FIELDS, SOURCES, type SourceId, type SourceUsage, userPk } from "./store-items.js";

/** One window of one user's usage, per source. */
export interface WindowUsage {
  readonly email: string;
  readonly at: number;
  readonly window: number;
  readonly sources: ReadonlyArray<{ readonly source: SourceId; readonly usage: SourceUsage; readonly sessions?: readonly string[] }>;
  readonly expiresAt: number;
  readonly now: string;
}

/** How the write treats the record's day counters: add to today, restart a new day, or leave a later day alone. */
type DayMode = "same-day" | "new-day" | "old-day";

interface WindowUpdate {
  readonly expression: string;
  readonly condition: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
}

/** The conditional update of one window for the given sources and day mode. */
function windowUpdate(a: WindowUsage, sources: WindowUsage["sources"], mode: DayMode, month: string, day: string): WindowUpdate {
  const names: Record<string, string> = { "#period": "period", "#day": "day" };
  const values: Record<string, unknown> = { ":w": a.window, ":p": month, ":e": a.email, ":x": a.expiresAt, ":now": a.now, ":day": day };
  const adds: string[] = [];
  const sets: string[] = ["#period = :p", "email = :e", "expiresAt = :x", "updatedAt = :now"];
  const removes: string[] = [];
  const conditions: string[] = [];
  const sessions = new Set<string>();
  for (const src of sources) {
    const s = src.source;
    names[`#${s}lw`] = `${s}_lw`;
    sets.push(`#${s}lw = :w`);
    conditions.push(`(attribute_not_exists(#${s}lw) OR #${s}lw < :w)`);
    for (const [k, short] of Object.entries(FIELDS) as [keyof SourceUsage, string][]) {
      const v = src.usage[k];
      values[`:${s}${short}`] = v;
      names[`#${s}${short}`] = field(s, short, false);
      if (v !== 0) adds.push(`#${s}${short} :${s}${short}`);
      if (mode === "old-day") continue;
      names[`#${s}d${short}`] = field(s, short, true);
      if (mode === "new-day") sets.push(`#${s}d${short} = :${s}${short}`);
      else if (v !== 0) adds.push(`#${s}d${short} :${s}${short}`);
    }
    for (const x of src.sessions ?? []) sessions.add(x);
  }
  if (mode === "new-day") {
    sets.push("#day = :day");
    // The other source's counters belong to the previous day: drop them.
    for (const other of SOURCES.filter((s) => !sources.some((x) => x.source === s))) {
      for (const short of Object.values(FIELDS)) {
        names[`#${other}d${short}`] = field(other, short, true);
        removes.push(`#${other}d${short}`);
      }
    }
    conditions.push("(attribute_not_exists(#day) OR #day < :day)");
  } else if (mode === "old-day") {
    conditions.push("#day > :day");
  } else {
    conditions.push("#day = :day");
  }
  if (sessions.size > 0) {
    adds.push("sessions :ss");
    values[":ss"] = sessions;
  }
  const expression = `SET ${sets.join(", ")}${adds.length ? ` ADD ${adds.join(", ")}` : ""}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`;
  return { expression, condition: conditions.join(" AND "), names, values };
}

/**
 * Adds one window's usage of one or more sources to a user's month record (month and day counters),
 * exactly once per source: every write is conditioned on each included source's last applied window
 * being older. Returns the sources applied; a source whose window was already applied (a retry or an
 * overlapping run) is skipped. Usually one write; a new day, a lagging source or a lost race costs a
 * consistent read and a second write.
 */
export async function applyWindow(doc: DynamoDBDocumentClient, usageTable: string, a: WindowUsage): Promise<SourceId[]> {
  const month = periodId("monthly", a.at);
  const day = dayKey(a.at);
  let sources = [...a.sources];
  let mode: DayMode = "same-day";
  for (let attempt = 0; sources.length > 0; attempt++) {
    if (attempt > 4) throw new Error(`usage record of ${a.email} kept changing under the update; retry later`);
    const u = windowUpdate(a, sources, mode, month, day);
    // Values only some paths use must not be sent (DynamoDB rejects unused names and values). One scan
    // of the expressions for their placeholders (a run writes this for every active user).
    const used = new Set(`${u.expression} ${u.condition}`.match(/[#:][A-Za-z0-9_]+/g));
    try {
      await withThrottleBackoff(() =>
        doc.send(
          new UpdateCommand({
            TableName: usageTable,
            Key: { pk: userPk(a.email), sk: month },
            UpdateExpression: u.expression,
            ConditionExpression: u.condition,
            ExpressionAttributeNames: Object.fromEntries(Object.entries(u.names).filter(([k]) => used.has(k))),
            ExpressionAttributeValues: Object.fromEntries(Object.entries(u.values).filter(([k]) => used.has(k))),
          }),
        ),
      );
      return sources.map((s) => s.source);
    } catch (e) {
      if ((e as Error).name !== "ConditionalCheckFailedException") throw e;
    }
    // Why did it fail? Read the record (strongly consistent) and pick the path that applies.
    const r = await doc.send(new GetCommand({ TableName: usageTable, Key: { pk: userPk(a.email), sk: month }, ConsistentRead: true }));
    const item = r.Item ?? {};
    sources = sources.filter((src) => !(typeof item[`${src.source}_lw`] === "number" && (item[`${src.source}_lw`] as number) >= a.window));
    const seen = typeof item.day === "string" ? item.day : undefined;
    mode = seen === undefined || seen < day ? "new-day" : seen > day ? "old-day" : "same-day";
  }
  return [];
}
