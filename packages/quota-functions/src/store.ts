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
 *   STATE / WATERMARK#<source>    last aggregated window of a source (`…#shard-<i>-of-<n>`: of one shard)
 *
 * Every write is a single-item conditional write (no transactions): applying a window to a user's month
 * is conditioned on the record's last-applied window of each source, so retries and overlapping runs
 * count each window exactly once. Both sources and the day live in the month record, so a run writes
 * one small item per active user (1 WCU). The day's counters restart when the first window of a new
 * day arrives (a conditional SET instead of ADD), so an idle user's yesterday never counts as today.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { LimitRecord, Scope } from "./limits.js";
import { applyWindow, type WindowUsage } from "./apply-window.js";
import { batchGet, withThrottleBackoff } from "./dynamo-util.js";
import {
  type AllLimits,
  alertSlot,
  emptyUsage,
  limitFromItem,
  list,
  monthOfDay,
  type SourceId,
  type UnblockRecord,
  unblockFromItem,
  USAGE_PERIOD_INDEX,
  usageFromItem,
  type UsageRecord,
  userPk,
} from "./store-items.js";

// Callers import records and helpers from here, as before the split.
export * from "./store-items.js";
export { pool, withThrottleBackoff } from "./dynamo-util.js";
export type { WindowUsage } from "./apply-window.js";

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

  /**
   * Adds one window's usage of one or more sources to a user's month record, exactly once per source
   * (see apply-window.ts). Returns the sources applied.
   */
  async applyWindow(a: WindowUsage): Promise<SourceId[]> {
    return applyWindow(this.doc, this.usageTable, a);
  }

  /**
   * Every user's usage of a period through the sparse index: `M#2026-11`, or `D#2026-11-26` (read
   * from the month records whose current day it is; users idle that day have no day record).
   */
  async usageOfPeriod(period: string): Promise<UsageRecord[]> {
    const day = period.startsWith("D#") ? period : undefined;
    const out: UsageRecord[] = [];
    await this.eachOfMonth(day ? monthOfDay(day) : period, (item) => {
      if (!day || item.day === day.slice(2)) out.push(usageFromItem(item, day));
    });
    return out;
  }

  /** A month's records and one of its days' in one pass over the index (the aggregation's read). */
  async usageOfMonthAndDay(month: string, day: string): Promise<{ month: UsageRecord[]; day: UsageRecord[] }> {
    const out = { month: [] as UsageRecord[], day: [] as UsageRecord[] };
    await this.eachOfMonth(month, (item) => {
      out.month.push(usageFromItem(item));
      if (item.day === day.slice(2)) out.day.push(usageFromItem(item, day));
    });
    return out;
  }

  private async eachOfMonth(month: string, each: (item: Record<string, unknown>) => void): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.doc.send(
        new QueryCommand({
          TableName: this.usageTable,
          IndexName: USAGE_PERIOD_INDEX,
          KeyConditionExpression: "#p = :p",
          ExpressionAttributeNames: { "#p": "period" },
          ExpressionAttributeValues: { ":p": month },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of r.Items ?? []) each(item);
      start = r.LastEvaluatedKey;
    } while (start);
  }

  /** One user's records for a month and a day, plus profile and unblock (the check API's read). */
  async userState(
    email: string,
    month: string,
    day: string,
  ): Promise<{ month: UsageRecord; day: UsageRecord; groups?: string[]; unblock?: UnblockRecord; rateLimitedUntil?: number }> {
    const pk = userPk(email);
    const sks = [...new Set([month, monthOfDay(day), "UNBLOCK", "PROFILE", "RATE_BLOCK"])];
    const items = await batchGet(
      this.doc,
      this.usageTable,
      sks.map((sk) => ({ pk, sk })),
    );
    const by = new Map(items.map((i) => [String(i.sk), i]));
    const m = by.get(month);
    const d = by.get(monthOfDay(day));
    const u = by.get("UNBLOCK");
    const p = by.get("PROFILE");
    // The end of a rate-limit cool-down (rate/counters.ts); the caller compares it with its clock.
    const rate = by.get("RATE_BLOCK")?.until;
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
    const { sk, stored } = alertSlot(period, top);
    const all = [...new Set([...keys, top])].map((k) => alertSlot(period, k).stored);
    try {
      const r = await withThrottleBackoff(() =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.usageTable,
            Key: { pk: userPk(email), sk },
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
    const { sk, stored } = alertSlot(period, key);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.usageTable,
        Key: { pk: userPk(email), sk },
        UpdateExpression: "DELETE alerted :k",
        ExpressionAttributeValues: { ":k": new Set([stored]) },
      }),
    );
  }

  /** Keeps a sent alert for `quota show` (history; dedupe is the claim on the period record). */
  async recordAlert(email: string, key: string, fields: Record<string, string | number>, expiresAt: number): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.usageTable, Item: { ...fields, pk: userPk(email), sk: `ALERT#${key}`, expiresAt } }),
    );
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
          pk: userPk(u.email),
          sk: "UNBLOCK",
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
    const r = await this.doc.send(new GetCommand({ TableName: this.usageTable, Key: { pk: userPk(email), sk: "UNBLOCK" } }));
    return r.Item ? unblockFromItem(email, r.Item) : undefined;
  }

  async deleteUnblock(email: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.usageTable, Key: { pk: userPk(email), sk: "UNBLOCK" } }));
  }

  /** Unblocks of many users (TTL deletion is lazy: expiry is checked against `until`, not presence). */
  async unblocksOf(emails: readonly string[]): Promise<Map<string, UnblockRecord>> {
    const items = await batchGet(
      this.doc,
      this.usageTable,
      emails.map((e) => ({ pk: userPk(e), sk: "UNBLOCK" })),
    );
    return new Map(
      items.map((i) => {
        const email = String(i.pk).slice(5);
        return [email, unblockFromItem(email, i)];
      }),
    );
  }

  // profiles (groups seen by the check API)

  async putProfile(email: string, groups: readonly string[], now: string, expiresAt: number): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.usageTable,
        Item: { pk: userPk(email), sk: "PROFILE", groups: [...groups], seenAt: now, expiresAt },
      }),
    );
  }

  async groupsOf(emails: readonly string[]): Promise<Map<string, string[]>> {
    const items = await batchGet(
      this.doc,
      this.usageTable,
      emails.map((e) => ({ pk: userPk(e), sk: "PROFILE" })),
    );
    return new Map(items.map((i) => [String(i.pk).slice(5), Array.isArray(i.groups) ? (i.groups as string[]) : []]));
  }
}
