/**
 * The rate function's records in the usage table:
 *
 *   USER#<email> / RATE#<minute>   tokens and requests of one UTC minute (atomic ADD; TTL one hour)
 *   USER#<email> / RATE_BLOCK      the current cool-down (`until`, epoch ms); claimed with a condition,
 *                                  so one alert per cool-down whatever runs overlap
 *   STATE / RATE_BLOCKS            map email → until of every user cooling down (the deny policy's source)
 *
 * Counters are ADDs, not conditional writes: a batch the Logs subscription delivers twice (a Lambda
 * retry) is counted twice. The over-count is bounded by one batch per retry and only errs towards a
 * cool-down that starts early; budgets stay exactly-once through the 15-minute aggregation.
 */
import { GetCommand, type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { withThrottleBackoff } from "../dynamo-util.js";
import { userPk } from "../store-items.js";

export const MINUTE_MS = 60_000;
const REGISTRY_KEY = { pk: "STATE", sk: "RATE_BLOCKS" };

/** `2026-11-26T12:04` for the minute holding `at`. */
export const minuteOf = (at: number): string => new Date(Math.floor(at / MINUTE_MS) * MINUTE_MS).toISOString().slice(0, 16);

/** Adds to a user's minute; returns the minute's totals after the add. */
export async function addToMinute(
  doc: DynamoDBDocumentClient,
  table: string,
  email: string,
  minute: string,
  tokens: number,
  requests: number,
  expiresAt: number,
): Promise<{ tokens: number; requests: number }> {
  const r = await withThrottleBackoff(() =>
    doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: userPk(email), sk: `RATE#${minute}` },
        UpdateExpression: "ADD tokens :t, requests :r SET expiresAt = :x",
        ExpressionAttributeValues: { ":t": tokens, ":r": requests, ":x": expiresAt },
        ReturnValues: "UPDATED_NEW",
      }),
    ),
  );
  return { tokens: Number(r.Attributes?.tokens ?? 0), requests: Number(r.Attributes?.requests ?? 0) };
}

/**
 * Starts a cool-down unless one is running: true only for the caller that started it (who alerts).
 */
export async function claimCooldown(
  doc: DynamoDBDocumentClient,
  table: string,
  email: string,
  now: number,
  until: number,
  reason: string,
): Promise<boolean> {
  let claimed = true;
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: userPk(email), sk: "RATE_BLOCK" },
        UpdateExpression: "SET #u = :u, reason = :why, expiresAt = :x",
        ConditionExpression: "attribute_not_exists(#u) OR #u <= :now",
        ExpressionAttributeNames: { "#u": "until" },
        ExpressionAttributeValues: { ":u": until, ":now": now, ":why": reason, ":x": Math.floor(until / 1000) + 86_400 },
      }),
    );
  } catch (e) {
    if ((e as Error).name !== "ConditionalCheckFailedException") throw e;
    claimed = false;
  }
  // The registry is written by whoever sees the breach, with the running cool-down's end, so a crash
  // between the claim and this write is repaired by the next breach inside the cool-down.
  const running = claimed ? until : await cooldownOf(doc, table, email, now);
  if (running !== undefined) await registryPut(doc, table, email, running);
  return claimed;
}

/** Adds one user to the registry (creating the map on first use). */
async function registryPut(doc: DynamoDBDocumentClient, table: string, email: string, until: number): Promise<void> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: REGISTRY_KEY,
        UpdateExpression: "SET blocked.#e = :u",
        ConditionExpression: "attribute_exists(blocked)",
        ExpressionAttributeNames: { "#e": email },
        ExpressionAttributeValues: { ":u": until },
      }),
    );
  } catch (e) {
    if ((e as Error).name !== "ConditionalCheckFailedException") throw e;
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: REGISTRY_KEY,
        UpdateExpression: "SET blocked = if_not_exists(blocked, :m)",
        ExpressionAttributeValues: { ":m": {} },
      }),
    );
    await registryPut(doc, table, email, until);
  }
}

/** Users cooling down at `now`; expired entries are removed (each removal conditioned on its value). */
export async function activeCooldowns(doc: DynamoDBDocumentClient, table: string, now: number): Promise<Map<string, number>> {
  const r = await doc.send(new GetCommand({ TableName: table, Key: REGISTRY_KEY, ConsistentRead: true }));
  const blocked = (r.Item?.blocked ?? {}) as Record<string, number>;
  const active = new Map<string, number>();
  for (const [email, until] of Object.entries(blocked)) {
    if (until > now) {
      active.set(email, until);
      continue;
    }
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: REGISTRY_KEY,
          UpdateExpression: "REMOVE blocked.#e",
          ConditionExpression: "blocked.#e = :u",
          ExpressionAttributeNames: { "#e": email },
          ExpressionAttributeValues: { ":u": until },
        }),
      );
    } catch (e) {
      // A new cool-down replaced the entry meanwhile: keep it.
      if ((e as Error).name !== "ConditionalCheckFailedException") throw e;
    }
  }
  return active;
}

/** One user's cool-down end (the check API's read), when one is running. */
export async function cooldownOf(doc: DynamoDBDocumentClient, table: string, email: string, now: number): Promise<number | undefined> {
  const r = await doc.send(new GetCommand({ TableName: table, Key: { pk: userPk(email), sk: "RATE_BLOCK" } }));
  const until = r.Item?.until;
  return typeof until === "number" && until > now ? until : undefined;
}
