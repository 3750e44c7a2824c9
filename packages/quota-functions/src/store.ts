/**
 * DynamoDB access. Two tables (the QuotaService component creates them with these keys):
 *
 * limits  hash `scope` (default | group | user), range `id` (`default`, group name, lower-case email)
 * usage   hash `pk`, range `sk`, TTL attribute `expiresAt`; users are spread over 64 buckets by a hash of
 *         their key (store-items.ts), so a bucket's records are one partition the aggregation reads with
 *         strongly consistent queries:
 *   M#2026-11#b07 / <email>       a user's month: counters per source (`tel_in`, `srv_cost`, …), the
 *                                 current day's counters (`tel_day_in`, …) with `day` = 2026-11-26, the
 *                                 last applied window per source, session names seen, alert keys sent
 *                                 (a day's keys prefixed `D#2026-11-26#`)
 *   PROFILE#b07 / <email>         groups last seen by the check API
 *   UNBLOCK#b07 / <email>         a temporary unblock (`until`, `by`, `reason`)
 *   USER#<email> / ALERT#<period>#<limit>#<threshold>   history of an alert sent (for `quota show`)
 *   STATE / WATERMARK#<source>    last aggregated window of a source (`…#shard-<i>-of-<n>`: of one shard)
 *   STATE / LEASE#b07             which run holds a bucket's records, until when (aggregate/lease.ts)
 *
 * Only the aggregation writes month records: it reads a bucket's records (consistent), adds the new
 * windows in memory, each source at most once per window (its last applied window is in the record), and
 * writes the changed records back in batches while it holds the bucket's lease. The alert claim is one
 * conditional write on the month record, so one jump sends one email whatever runs overlap.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { LimitRecord, Scope } from "./limits.js";
import type { UsageItem } from "./apply-window.js";
import { batchGet, batchPut, pool, withThrottleBackoff } from "./dynamo-util.js";
import {
  type AllLimits,
  alertSlot,
  emptyUsage,
  limitFromItem,
  list,
  monthOfDay,
  monthPartition,
  monthRecordKey,
  profileKey,
  profilePartition,
  unblockKey,
  unblockPartition,
  type SourceId,
  type UnblockRecord,
  unblockFromItem,
  USAGE_BUCKETS,
  usageFromItem,
  type UsageRecord,
  userPk,
} from "./store-items.js";

// Callers import records and helpers from here, as before the split.
export * from "./store-items.js";
export { pool, withThrottleBackoff } from "./dynamo-util.js";
export type { UsageItem, WindowUsage } from "./apply-window.js";

const ALL_BUCKETS = Array.from({ length: USAGE_BUCKETS }, (_, b) => b);

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

  // limits

  async listLimits(scope?: Scope): Promise<LimitRecord[]> {
    const scopes: Scope[] = scope ? [scope] : ["default", "group", "user"];
    const out: LimitRecord[] = [];
    for (const s of scopes) {
      let start: Record<string, unknown> | undefined;
      do {
        const r = await this.doc.send(
          new QueryCommand({
            TableName: this.limitsTable,
            KeyConditionExpression: "#s = :s",
            ExpressionAttributeNames: { "#s": "scope" },
            ExpressionAttributeValues: { ":s": s },
            ExclusiveStartKey: start,
          }),
        );
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
    const keys = [
      { scope: "user", id: email },
      { scope: "default", id: "default" },
      ...[...new Set(groups)].slice(0, 98).map((g) => ({ scope: "group", id: g })),
    ];
    const items = await batchGet(this.doc, this.limitsTable, keys);
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

  // usage

  /** The month records of the given buckets, as stored (strongly consistent: read before a write). */
  async monthItems(month: string, buckets: readonly number[], concurrency = 8): Promise<UsageItem[]> {
    const parts = await pool(buckets, concurrency, (b) => this.partition(monthPartition(month, b)));
    return parts.flat();
  }

  /** Writes whole month records back (25 a request, unprocessed items retried with backoff). */
  async putMonthItems(items: readonly UsageItem[], concurrency = 8, guard?: () => void): Promise<void> {
    await batchPut(this.doc, this.usageTable, items, concurrency, guard);
  }

  /**
   * Every user's usage of a period: `M#2026-11`, or `D#2026-11-26` (read from the month records whose
   * current day it is; users idle that day have no day record).
   */
  async usageOfPeriod(period: string): Promise<UsageRecord[]> {
    const day = period.startsWith("D#") ? period : undefined;
    const items = await this.monthItems(day ? monthOfDay(day) : period, ALL_BUCKETS);
    return items.filter((item) => !day || item.day === day.slice(2)).map((item) => usageFromItem(item, day));
  }

  /** All items of one partition (strongly consistent unless told), page by page. */
  private async partition(pk: string, consistent = true): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await withThrottleBackoff(() =>
        this.doc.send(
          new QueryCommand({
            TableName: this.usageTable,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": pk },
            ConsistentRead: consistent,
            ExclusiveStartKey: start,
          }),
        ),
      );
      out.push(...(r.Items ?? []));
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** One user's records for a month and a day, plus profile and unblock (the check API's read). */
  async userState(
    email: string,
    month: string,
    day: string,
  ): Promise<{ month: UsageRecord; day: UsageRecord; groups?: string[]; unblock?: UnblockRecord; rateLimitedUntil?: number }> {
    const pk = userPk(email);
    const keys = [
      ...[...new Set([month, monthOfDay(day)])].map((m) => monthRecordKey(m, email)),
      profileKey(email),
      unblockKey(email),
      { pk, sk: "RATE_BLOCK" },
    ];
    const items = await batchGet(this.doc, this.usageTable, keys);
    const by = new Map(items.map((i) => [`${String(i.pk)}|${String(i.sk)}`, i]));
    const get = (k: { pk: string; sk: string }) => by.get(`${k.pk}|${k.sk}`);
    const m = get(monthRecordKey(month, email));
    const d = get(monthRecordKey(monthOfDay(day), email));
    const u = get(unblockKey(email));
    const p = get(profileKey(email));
    // The end of a rate-limit cool-down (rate/counters.ts); the caller compares it with its clock.
    const rate = get({ pk, sk: "RATE_BLOCK" })?.until;
    return {
      month: m ? usageFromItem(m) : emptyUsage(email, month),
      day: d ? usageFromItem(d, day) : emptyUsage(email, day),
      ...(p && Array.isArray(p.groups) ? { groups: p.groups as string[] } : {}),
      ...(u ? { unblock: unblockFromItem(email, u) } : {}),
      ...(typeof rate === "number" ? { rateLimitedUntil: rate } : {}),
    };
  }

  // watermarks

  /** `scope` names a shard's own watermark (aggregate/shard.ts); empty for the unsharded run. */
  async watermark(source: SourceId, scope = ""): Promise<number | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.usageTable, Key: { pk: "STATE", sk: `WATERMARK#${source}${scope}` }, ConsistentRead: true }),
    );
    return typeof r.Item?.window === "number" ? r.Item.window : undefined;
  }

  /** Moves a watermark forward only (an older overlapping run cannot move it back). */
  async advanceWatermark(source: SourceId, window: number, now: string, scope = ""): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.usageTable,
          Key: { pk: "STATE", sk: `WATERMARK#${source}${scope}` },
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

  // alerts (dedupe)

  /**
   * Claims the alert key `top` (`<limit>#<threshold>`, the highest threshold reached) on the user's
   * period record in one conditional write that also adds `keys` (the lower thresholds reached): only
   * the first caller for `top` succeeds, so one jump past several thresholds sends one alert whatever
   * runs overlap. Returns the keys this call added (for a release if sending fails), or undefined when
   * `top` was already claimed.
   */
  async claimAlerts(email: string, period: string, top: string, keys: readonly string[]): Promise<string[] | undefined> {
    const { month, stored } = alertSlot(period, top);
    const all = [...new Set([...keys, top])].map((k) => alertSlot(period, k).stored);
    try {
      const r = await withThrottleBackoff(() =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.usageTable,
            Key: monthRecordKey(month, email),
            UpdateExpression: "ADD alerted :k",
            ConditionExpression: "attribute_exists(pk) AND NOT contains(alerted, :top)",
            ExpressionAttributeValues: { ":k": new Set(all), ":top": stored },
            ReturnValues: "UPDATED_OLD",
          }),
        ),
      );
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
    const { month, stored } = alertSlot(period, key);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.usageTable,
        Key: monthRecordKey(month, email),
        UpdateExpression: "DELETE alerted :k",
        ExpressionAttributeValues: { ":k": new Set([stored]) },
      }),
    );
  }

  /** Keeps a sent alert for `quota show` (history; dedupe is the claim on the period record). */
  /** Keeps sent alerts for `quota show` (history; dedupe is the claim on the month record), in batches. */
  async recordAlerts(
    alerts: ReadonlyArray<{ email: string; key: string; fields: Record<string, string | number>; expiresAt: number }>,
    concurrency = 8,
  ): Promise<void> {
    const items = alerts.map((a) => ({ ...a.fields, pk: userPk(a.email), sk: `ALERT#${a.key}`, expiresAt: a.expiresAt }));
    await batchPut(this.doc, this.usageTable, items, concurrency);
  }

  async alertsOf(email: string, periodPrefix = ""): Promise<Array<Record<string, unknown>>> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.usageTable,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :a)",
        ExpressionAttributeValues: { ":pk": userPk(email), ":a": `ALERT#${periodPrefix}` },
      }),
    );
    return r.Items ?? [];
  }

  // unblock

  async putUnblock(u: UnblockRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.usageTable,
        Item: {
          ...unblockKey(u.email),
          until: u.until,
          by: u.by,
          reason: u.reason,
          at: u.at,
          expiresAt: Math.floor(Date.parse(u.until) / 1000) + 86400,
        },
      }),
    );
  }

  async getUnblock(email: string): Promise<UnblockRecord | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.usageTable, Key: unblockKey(email) }));
    return r.Item ? unblockFromItem(email, r.Item) : undefined;
  }

  async deleteUnblock(email: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.usageTable, Key: unblockKey(email) }));
  }

  /**
   * The unblocks in the given buckets, one query a bucket (TTL deletion is lazy: expiry is checked
   * against `until`, not presence).
   */
  async unblocksIn(buckets: readonly number[], concurrency = 8): Promise<Map<string, UnblockRecord>> {
    const parts = await pool(buckets, concurrency, (b) => this.partition(unblockPartition(b)));
    return new Map(parts.flat().map((i) => [String(i.sk), unblockFromItem(String(i.sk), i)]));
  }

  // profiles (groups seen by the check API)

  async putProfile(email: string, groups: readonly string[], now: string, expiresAt: number): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.usageTable,
        Item: { ...profileKey(email), groups: [...groups], seenAt: now, expiresAt },
      }),
    );
  }

  async groupsOf(emails: readonly string[]): Promise<Map<string, string[]>> {
    const items = await batchGet(this.doc, this.usageTable, emails.map(profileKey));
    return new Map(items.map((i) => [String(i.sk), Array.isArray(i.groups) ? (i.groups as string[]) : []]));
  }

  /** The groups of every user with a profile in the given buckets (one query a bucket, not a read a user). */
  async profilesOf(buckets: readonly number[], concurrency = 8): Promise<Map<string, string[]>> {
    // Groups need not be read-your-writes: eventually consistent, half the read cost.
    const parts = await pool(buckets, concurrency, (b) => this.partition(profilePartition(b), false));
    return new Map(parts.flat().map((i) => [String(i.sk), Array.isArray(i.groups) ? (i.groups as string[]) : []]));
  }
}
