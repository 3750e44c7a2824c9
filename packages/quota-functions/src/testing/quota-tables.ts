/**
 * The quota tests' shared set-up as vitest hooks: one local DynamoDB per test file, and a fresh pair of
 * quota tables on it before each test, so tests stay independent. `set` receives both before each test.
 * (Kept apart from dynalite.ts, which the benchmark imports without vitest.)
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { QuotaStore } from "../store.js";
import { freshQuotaStore, startLocalDynamo, type LocalDynamo } from "./dynalite.js";

export function useQuotaTables(prefix: string, set: (t: { db: LocalDynamo; store: QuotaStore }) => void): void {
  let db: LocalDynamo;
  beforeAll(async () => {
    db = await startLocalDynamo();
  });
  afterAll(async () => db.close());
  beforeEach(async () => set({ db, store: await freshQuotaStore(db, prefix) }));
}
