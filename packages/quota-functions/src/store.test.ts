import { describe, expect, it } from "vitest";
import { pool, withThrottleBackoff } from "./store.js";

const err = (name: string) => Object.assign(new Error(name), { name });

describe("bounded parallel writes", () => {
  it("retries throttled writes with growing waits, then succeeds", async () => {
    const waits: number[] = [];
    let calls = 0;
    const r = await withThrottleBackoff(
      async () => (++calls < 4 ? Promise.reject(err("ProvisionedThroughputExceededException")) : "ok"),
      8,
      25,
      async (ms) => void waits.push(ms),
    );
    expect(r).toBe("ok");
    expect(calls).toBe(4);
    expect(waits).toHaveLength(3);
    expect(waits.every((w, i) => w >= 0 && w <= 25 * 2 ** (i + 1))).toBe(true);
  });

  it("gives up after the last attempt, and never retries a failed condition or another error", async () => {
    let calls = 0;
    await expect(
      withThrottleBackoff(
        async () => {
          calls++;
          throw err("ThrottlingException");
        },
        3,
        1,
        async () => undefined,
      ),
    ).rejects.toThrow("ThrottlingException");
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      withThrottleBackoff(
        async () => {
          calls++;
          throw err("ConditionalCheckFailedException");
        },
        3,
        1,
        async () => undefined,
      ),
    ).rejects.toThrow("ConditionalCheckFailedException");
    expect(calls).toBe(1);
  });

  it("keeps at most the limit in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await pool(
      Array.from({ length: 50 }, (_, i) => i),
      7,
      async (i) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        return i * 2;
      },
    );
    expect(peak).toBe(7);
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });
});
