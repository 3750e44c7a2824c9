/**
 * DynamoDB access. Two tables (the QuotaService component creates them with these keys):
 *
 * limits  hash `scope` (default | group | user), range `id` (`default`, group name, lower-case email)
 * usage   hash `pk`, range `sk`, TTL attribute `expiresAt`, sparse GSI `by-period` (hash `period`, range `pk`)
 *   USER#<email> / M#2026-11      a user's month: counters per source (`tel_in`, `srv_cost`, …), the
 *                                 current day's counters (`tel_day_in`, …) with `day` = 2026-11-26, the
 *                                 last applied window per source, session names seen, alert keys sent
 *                                 (a day's keys prefixed `D#2026-11-26#`); `period` = M#2026-11
 *   USER#<email> / ALERT#<period>#<limit>#<threshold>   history of an alert sent (for `quota show`)
 *   USER#<email> / UNBLOCK        a temporary unblock (`until`, `by`, `reason`)
 *   USER#<email> / PROFILE        groups last seen by the check API
 *   STATE / WATERMARK#<source>    last aggregated window of a source
 *
 * Every write is a single-item conditional write (no transactions): applying a window to a user's month
 * is conditioned on the record's last-applied window of each source, so retries and overlapping runs
 * count each window exactly once. Both sources and the day live in the month record, so a run writes
 * one small item per active user (1 WCU). The day's counters restart when the first window of a new
 * day arrives (a conditional SET instead of ADD), so an idle user's yesterday never counts as today.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { QUOTA_USAGE_PERIOD_INDEX } from "@ccb/contracts";
import { BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { isMode, type LimitRecord, type Mode, type Scope } from "./limits.js";
import { dayKey, periodId } from "./periods.js";
import { zeroCounts, type TokenCounts } from "./pricing.js";

/** The index name is the contract with the QuotaService component (@ccb/contracts). */
export const USAGE_PERIOD_INDEX = QUOTA_USAGE_PERIOD_INDEX;

/** The two records of usage: client telemetry and Bedrock invocation logs (server). */
export type SourceId = "tel" | "srv";
export const SOURCES: readonly SourceId[] = ["tel", "srv"];

export interface SourceUsage extends TokenCounts {
  costMicros: number;
}

export interface UsageRecord {
  readonly email: string;
  readonly period: string;
  readonly tel: SourceUsage;
  readonly srv: SourceUsage;
  /** Role session names seen in invocation logs (as the user's IdP spells the email). */
  readonly sessions: readonly string[];
  /** Alert keys (`<limit>#<threshold>`) already sent for this period. */
  readonly alerted?: readonly string[];
  readonly updatedAt?: string;
}

export interface UnblockRecord {
  readonly email: string;
  readonly until: string;
  readonly by: string;
  readonly reason: string;
  readonly at: string;
}

const FIELDS: Record<keyof SourceUsage, string> = { input: "in", output: "out", cacheRead: "cr", cacheWrite: "cw", costMicros: "cost" };

export const userPk = (email: string) => `USER#${email}`;

/** Attribute of a counter: `tel_in` (month) or `tel_day_in` (the record's current day). */
const field = (s: SourceId, short: string, day: boolean) => `${s}_${day ? "day_" : ""}${short}`;
/** `D#2026-11-26` → `M#2026-11`. */
export const monthOfDay = (dayPeriod: string): string => `M#${dayPeriod.slice(2, 9)}`;

function readSource(item: Record<string, unknown>, s: SourceId, day: boolean): SourceUsage {
  const out: SourceUsage = { ...zeroCounts(), costMicros: 0 };
  for (const [k, short] of Object.entries(FIELDS) as [keyof SourceUsage, string][]) out[k] = Number(item[field(s, short, day)] ?? 0);
  return out;
}

const list = (v: unknown): string[] => (v instanceof Set ? [...(v as Set<string>)] : Array.isArray(v) ? (v as string[]) : []);

/**
 * A month record as the month's usage, or (`day` = `D#2026-11-26`) as that day's usage: zero when the
 * record's current day is another one (the user has not been active that day).
 */
export function usageFromItem(item: Record<string, unknown>, day?: string): UsageRecord {
  const email = String(item.email ?? String(item.pk).slice(5));
  if (day && item.day !== day.slice(2)) return emptyUsage(email, day);
  const sessions = list(item.sessions);
  const all = list(item.alerted);
  const alerted = day ? all.filter((k) => k.startsWith(`${day}#`)).map((k) => k.slice(day.length + 1)) : all.filter((k) => !k.startsWith("D#"));
  return {
    email,
    period: day ?? String(item.period),
    tel: readSource(item, "tel", day !== undefined),
    srv: readSource(item, "srv", day !== undefined),
    sessions: sessions.sort(),
    ...(alerted.length ? { alerted: alerted.sort() } : {}),
    ...(typeof item.updatedAt === "string" ? { updatedAt: item.updatedAt } : {}),
  };
}

export function emptyUsage(email: string, period: string): UsageRecord {
  return { email, period, tel: { ...zeroCounts(), costMicros: 0 }, srv: { ...zeroCounts(), costMicros: 0 }, sessions: [] };
}

function limitFromItem(item: Record<string, unknown>): LimitRecord {
  const num = (k: string) => (typeof item[k] === "number" ? (item[k] as number) : undefined);
  const mode = (k: string): Mode => (isMode(item[k]) ? (item[k] as Mode) : "alert");
  const r: Record<string, unknown> = { scope: item.scope as Scope, id: String(item.id), monthlyMode: mode("monthlyMode"), dailyMode: mode("dailyMode") };
  for (const k of ["monthlyTokens", "dailyTokens", "monthlyCostUsd", "dailyCostUsd"]) if (num(k) !== undefined) r[k] = num(k);
  for (const k of ["updatedAt", "updatedBy", "note"]) if (typeof item[k] === "string") r[k] = item[k];
  return r as unknown as LimitRecord;
}

export interface AllLimits {
  readonly user: Map<string, LimitRecord>;
  readonly group: Map<string, LimitRecord>;
  readonly default?: LimitRecord;
}

export class QuotaStore {
  readonly doc: DynamoDBDocumentClient;
  /**
   * @param defaultLimit the stage's default limit (stage config, passed to the Lambdas as
   * `DEFAULT_LIMITS`). It is not written to the table, so deploying never needs item writes; a
   * `default` record in the table is only used when no configured default is given.
   */
  constructor(
    client: DynamoDBClient,
    readonly limitsTable: string,
    readonly usageTable: string,
    readonly defaultLimit?: LimitRecord,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  // ---- limits ----

  async listLimits(scope?: Scope): Promise<LimitRecord[]> {
    const scopes: Scope[] = scope ? [scope] : ["default", "group", "user"];
    const out: LimitRecord[] = [];
    for (const s of scopes) {
      let start: Record<string, unknown> | undefined;
      do {
        const r = await this.doc.send(new QueryCommand({ TableName: this.limitsTable, KeyConditionExpression: "#s = :s", ExpressionAttributeNames: { "#s": "scope" }, ExpressionAttributeValues: { ":s": s }, ExclusiveStartKey: start }));
        out.push(...(r.Items ?? []).map(limitFromItem).filter((x) => !(x.scope === "default" && this.defaultLimit)));
        start = r.LastEvaluatedKey;
      } while (start);
      if (s === "default" && this.defaultLimit) out.push(this.defaultLimit);
    }
    return out;
  }

  async allLimits(): Promise<AllLimits> {
    const all = await this.listLimits();
    const def = all.find((r) => r.scope === "default");
    return {
      user: new Map(all.filter((r) => r.scope === "user").map((r) => [r.id, r])),
      group: new Map(all.filter((r) => r.scope === "group").map((r) => [r.id, r])),
      ...(def ? { default: def } : {}),
    };
  }

  /** The records that can apply to one user: own, their groups', default (the check API's read). */
  async limitsFor(email: string, groups: readonly string[]): Promise<AllLimits> {
    const keys = [{ scope: "user", id: email }, { scope: "default", id: "default" }, ...[...new Set(groups)].slice(0, 98).map((g) => ({ scope: "group", id: g }))];
    const items = await this.batchGet(this.limitsTable, keys);
    const recs = items.map(limitFromItem);
    const def = this.defaultLimit ?? recs.find((r) => r.scope === "default");
    return {
      user: new Map(recs.filter((r) => r.scope === "user").map((r) => [r.id, r])),
      group: new Map(recs.filter((r) => r.scope === "group").map((r) => [r.id, r])),
      ...(def ? { default: def } : {}),
    };
  }

  async putLimit(r: LimitRecord): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.limitsTable, Item: { ...r } }));
  }

  async deleteLimit(scope: Scope, id: string): Promise<boolean> {
    const r = await this.doc.send(new DeleteCommand({ TableName: this.limitsTable, Key: { scope, id }, ReturnValues: "ALL_OLD" }));
    return r.Attributes !== undefined;
  }

  // ---- usage ----

  /**
   * Adds one window's usage of one or more sources to a user's month record (month and day counters),
   * exactly once per source: every write is conditioned on each included source's last applied window
   * being older. Returns the sources applied; a source whose window was already applied (a retry or an
   * overlapping run) is skipped. Usually one write; a new day, a lagging source or a lost race costs a
   * consistent read and a second write.
   */
  async applyWindow(a: { email: string; at: number; window: number; sources: ReadonlyArray<{ source: SourceId; usage: SourceUsage; sessions?: readonly string[] }>; expiresAt: number; now: string }): Promise<SourceId[]> {
    const month = periodId("monthly", a.at);
    const day = dayKey(a.at);
    let sources = [...a.sources];
    let mode: "same-day" | "new-day" | "old-day" = "same-day";
    for (let attempt = 0; sources.length > 0; attempt++) {
      if (attempt > 4) throw new Error(`usage record of ${a.email} kept changing under the update; retry later`);
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
      // Values only some paths use must not be sent (DynamoDB rejects unused names and values).
      const expression = `SET ${sets.join(", ")}${adds.length ? ` ADD ${adds.join(", ")}` : ""}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`;
      const condition = conditions.join(" AND ");
      const used = `${expression} ${condition}`;
      try {
        await withThrottleBackoff(() => this.doc.send(
          new UpdateCommand({
            TableName: this.usageTable,
            Key: { pk: userPk(a.email), sk: month },
            UpdateExpression: expression,
            ConditionExpression: condition,
            ExpressionAttributeNames: Object.fromEntries(Object.entries(names).filter(([k]) => new RegExp(`${k}\\b`).test(used))),
            ExpressionAttributeValues: Object.fromEntries(Object.entries(values).filter(([k]) => new RegExp(`${k}\\b`).test(used))),
          }),
        ));
        return sources.map((s) => s.source);
      } catch (e) {
        if ((e as Error).name !== "ConditionalCheckFailedException") throw e;
      }
      // Why did it fail? Read the record (strongly consistent) and pick the path that applies.
      const r = await this.doc.send(new GetCommand({ TableName: this.usageTable, Key: { pk: userPk(a.email), sk: month }, ConsistentRead: true }));
      const item = r.Item ?? {};
      sources = sources.filter((src) => !(typeof item[`${src.source}_lw`] === "number" && (item[`${src.source}_lw`] as number) >= a.window));
      const seen = typeof item.day === "string" ? item.day : undefined;
      mode = seen === undefined || seen < day ? "new-day" : seen > day ? "old-day" : "same-day";
    }
    return [];
  }

  /**
   * Every user's usage of a period through the sparse index: `M#2026-11`, or `D#2026-11-26` (read
   * from the month records whose current day it is; users idle that day have no day record).
   */
  async usageOfPeriod(period: string): Promise<UsageRecord[]> {
    const day = period.startsWith("D#") ? period : undefined;
    const out: UsageRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.usageTable,
          IndexName: USAGE_PERIOD_INDEX,
          KeyConditionExpression: "#p = :p",
          ExpressionAttributeNames: { "#p": "period" },
          ExpressionAttributeValues: { ":p": day ? monthOfDay(day) : period },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of r.Items ?? []) if (!day || item.day === day.slice(2)) out.push(usageFromItem(item, day));
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** One user's records for a month and a day, plus profile and unblock (the check API's read). */
  async userState(email: string, month: string, day: string): Promise<{ month: UsageRecord; day: UsageRecord; groups?: string[]; unblock?: UnblockRecord }> {
    const pk = userPk(email);
    const sks = [...new Set([month, monthOfDay(day), "UNBLOCK", "PROFILE"])];
    const items = await this.batchGet(this.usageTable, sks.map((sk) => ({ pk, sk })));
    const by = new Map(items.map((i) => [String(i.sk), i]));
    const m = by.get(month);
    const d = by.get(monthOfDay(day));
    const u = by.get("UNBLOCK");
    const p = by.get("PROFILE");
    return {
      month: m ? usageFromItem(m) : emptyUsage(email, month),
      day: d ? usageFromItem(d, day) : emptyUsage(email, day),
      ...(p && Array.isArray(p.groups) ? { groups: p.groups as string[] } : {}),
      ...(u ? { unblock: unblockFromItem(email, u) } : {}),
    };
  }

  // ---- watermarks ----

  async watermark(source: SourceId): Promise<number | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.usageTable, Key: { pk: "STATE", sk: `WATERMARK#${source}` }, ConsistentRead: true }));
    return typeof r.Item?.window === "number" ? r.Item.window : undefined;
  }

  /** Moves a watermark forward only (an older overlapping run cannot move it back). */
  async advanceWatermark(source: SourceId, window: number, now: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.usageTable,
          Key: { pk: "STATE", sk: `WATERMARK#${source}` },
          UpdateExpression: "SET #w = :w, updatedAt = :now",
          ConditionExpression: "attribute_not_exists(#w) OR #w < :w",
          ExpressionAttributeNames: { "#w": "window" },
          ExpressionAttributeValues: { ":w": window, ":now": now },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }

  // ---- alerts (dedupe) ----

  /**
   * Claims the alert key `top` (`<limit>#<threshold>`, the highest threshold reached) on the user's
   * period record in one conditional write that also adds `keys` (the lower thresholds reached): only
   * the first caller for `top` succeeds, so one jump past several thresholds sends one alert whatever
   * runs overlap. Returns the keys this call added (for a release if sending fails), or undefined when
   * `top` was already claimed.
   */
  async claimAlerts(email: string, period: string, top: string, keys: readonly string[]): Promise<string[] | undefined> {
    const { sk, stored } = alertSlot(period, top);
    const all = [...new Set([...keys, top])].map((k) => alertSlot(period, k).stored);
    try {
      const r = await withThrottleBackoff(() => this.doc.send(
        new UpdateCommand({
          TableName: this.usageTable,
          Key: { pk: userPk(email), sk },
          UpdateExpression: "ADD alerted :k",
          ConditionExpression: "attribute_exists(pk) AND NOT contains(alerted, :top)",
          ExpressionAttributeValues: { ":k": new Set(all), ":top": stored },
          ReturnValues: "UPDATED_OLD",
        }),
      ));
      const before = new Set(list(r.Attributes?.alerted));
      const prefix = stored.slice(0, stored.length - top.length);
      return all.filter((k) => !before.has(k)).map((k) => k.slice(prefix.length));
    } catch (e) {
      if ((e as Error).name === "ConditionalCheckFailedException") return undefined;
      throw e;
    }
  }

  /** Claims one alert key; true only for the first caller. */
  async claimAlert(email: string, period: string, key: string): Promise<boolean> {
    return (await this.claimAlerts(email, period, key, [])) !== undefined;
  }

  /** Gives a claim back when the notification could not be sent, so the next run retries it. */
  async releaseAlert(email: string, period: string, key: string): Promise<void> {
    const { sk, stored } = alertSlot(period, key);
    await this.doc.send(new UpdateCommand({ TableName: this.usageTable, Key: { pk: userPk(email), sk }, UpdateExpression: "DELETE alerted :k", ExpressionAttributeValues: { ":k": new Set([stored]) } }));
  }

  /** Keeps a sent alert for `quota show` (history; dedupe is the claim on the period record). */
  async recordAlert(email: string, key: string, fields: Record<string, string | number>, expiresAt: number): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.usageTable, Item: { ...fields, pk: userPk(email), sk: `ALERT#${key}`, expiresAt } }));
  }

  async alertsOf(email: string, periodPrefix = ""): Promise<Array<Record<string, unknown>>> {
    const r = await this.doc.send(
      new QueryCommand({ TableName: this.usageTable, KeyConditionExpression: "pk = :pk AND begins_with(sk, :a)", ExpressionAttributeValues: { ":pk": userPk(email), ":a": `ALERT#${periodPrefix}` } }),
    );
    return r.Items ?? [];
  }

  // ---- unblock ----

  async putUnblock(u: UnblockRecord): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.usageTable, Item: { pk: userPk(u.email), sk: "UNBLOCK", until: u.until, by: u.by, reason: u.reason, at: u.at, expiresAt: Math.floor(Date.parse(u.until) / 1000) + 86400 } }));
  }

  async getUnblock(email: string): Promise<UnblockRecord | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.usageTable, Key: { pk: userPk(email), sk: "UNBLOCK" } }));
    return r.Item ? unblockFromItem(email, r.Item) : undefined;
  }

  async deleteUnblock(email: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.usageTable, Key: { pk: userPk(email), sk: "UNBLOCK" } }));
  }

  /** Unblocks of many users (TTL deletion is lazy: expiry is checked against `until`, not presence). */
  async unblocksOf(emails: readonly string[]): Promise<Map<string, UnblockRecord>> {
    const items = await this.batchGet(this.usageTable, emails.map((e) => ({ pk: userPk(e), sk: "UNBLOCK" })));
    return new Map(items.map((i) => { const email = String(i.pk).slice(5); return [email, unblockFromItem(email, i)]; }));
  }

  // ---- profiles (groups seen by the check API) ----

  async putProfile(email: string, groups: readonly string[], now: string, expiresAt: number): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.usageTable, Item: { pk: userPk(email), sk: "PROFILE", groups: [...groups], seenAt: now, expiresAt } }));
  }

  async groupsOf(emails: readonly string[]): Promise<Map<string, string[]>> {
    const items = await this.batchGet(this.usageTable, emails.map((e) => ({ pk: userPk(e), sk: "PROFILE" })));
    return new Map(items.map((i) => [String(i.pk).slice(5), Array.isArray(i.groups) ? (i.groups as string[]) : []]));
  }

  /** BatchGet in pages of 100 with retry of unprocessed keys. */
  private async batchGet(table: string, keys: Array<Record<string, unknown>>): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Array<Record<string, unknown>> | undefined = keys.slice(i, i + 100);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 8) throw new Error(`BatchGetItem on ${table} left ${pending.length} keys unprocessed after retries`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const r = await this.doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }));
        out.push(...(r.Responses?.[table] ?? []));
        pending = r.UnprocessedKeys?.[table]?.Keys as Array<Record<string, unknown>> | undefined;
      }
    }
    return out;
  }
}

/** Alert keys live on the month record; a day's keys carry the day (`D#2026-11-26#dailyTokens#80`). */
function alertSlot(period: string, key: string): { sk: string; stored: string } {
  return period.startsWith("D#") ? { sk: monthOfDay(period), stored: `${period}#${key}` } : { sk: period, stored: key };
}

function unblockFromItem(email: string, i: Record<string, unknown>): UnblockRecord {
  return { email, until: String(i.until), by: String(i.by ?? ""), reason: String(i.reason ?? ""), at: String(i.at ?? "") };
}

/** DynamoDB's answers to "too many requests": retried with backoff, never counted as a failed condition. */
const THROTTLED = new Set(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "LimitExceededException"]);

/**
 * Sends a write, retrying throttling with exponential backoff and full jitter (the SDK's own retries
 * give up after 3 attempts; a run with many writes in flight should slow down, not fail). Any other
 * error, including a failed condition, is the caller's.
 */
export async function withThrottleBackoff<T>(send: () => Promise<T>, attempts = 8, baseMs = 25, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      if (!THROTTLED.has((e as Error).name) || attempt >= attempts) throw e;
      await sleep(Math.random() * baseMs * 2 ** attempt);
    }
  }
}

/** Runs `fn` over items with at most `limit` in flight. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}
