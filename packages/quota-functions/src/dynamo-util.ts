import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** DynamoDB's answers to "too many requests": retried with backoff, never counted as a failed condition. */
const THROTTLED = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "LimitExceededException",
]);

/**
 * Sends a write, retrying throttling with exponential backoff and full jitter (the SDK's own retries
 * give up after 3 attempts; a run with many writes in flight should slow down, not fail). Any other
 * error, including a failed condition, is the caller's.
 */
export async function withThrottleBackoff<T>(
  send: () => Promise<T>,
  attempts = 8,
  baseMs = 25,
  sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
): Promise<T> {
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

/** BatchGet in pages of 100 with retry of unprocessed keys. */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: Array<Record<string, unknown>>,
): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Array<Record<string, unknown>> | undefined = keys.slice(i, i + 100);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`BatchGetItem on ${table} left ${pending.length} keys unprocessed after retries`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const r = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }));
      out.push(...(r.Responses?.[table] ?? []));
      pending = r.UnprocessedKeys?.[table]?.Keys as Array<Record<string, unknown>> | undefined;
    }
  }
  return out;
}

/**
 * BatchWrite puts in requests of 25 (the service's limit), `concurrency` requests in flight. Items the
 * service leaves unprocessed (throttling) are sent again after a growing, jittered wait; after the last
 * attempt the call fails, and the caller's run resumes from the records as they are.
 */
export async function batchPut(
  doc: DynamoDBDocumentClient,
  table: string,
  items: ReadonlyArray<Record<string, unknown>>,
  concurrency: number,
  /** Called before every request; throws to stop (the writer's lease is about to end). */
  guard: () => void = () => undefined,
  sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
): Promise<void> {
  const batches: Array<ReadonlyArray<Record<string, unknown>>> = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await pool(batches, concurrency, async (batch) => {
    let pending: Array<Record<string, unknown>> = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`BatchWriteItem on ${table} left ${pending.length} items unprocessed after retries`);
      if (attempt > 1) await sleep(Math.random() * 25 * 2 ** attempt);
      guard();
      const r = await withThrottleBackoff(() => doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } })));
      pending = (r.UnprocessedItems?.[table] ?? []) as Array<Record<string, unknown>>;
    }
  });
}
