import { describe, expect, it } from "vitest";
import { dayKey, monthKey, nextMonthStart, parseDuration, periodEnd, usageExpiry, windowEnd, windowOf, windowStart } from "./periods.js";

describe("periods (UTC)", () => {
  it("puts a window in exactly one UTC day and month", () => {
    const w = windowOf(Date.UTC(2026, 11, 31, 23, 59, 59));
    expect(new Date(windowStart(w)).toISOString()).toBe("2026-12-31T23:45:00.000Z");
    expect(new Date(windowEnd(w)).toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(monthKey(windowStart(w))).toBe("2026-12");
    expect(dayKey(windowStart(w + 1))).toBe("2027-01-01");
  });

  it("ignores local time zones: 23:30 in New York on the 31st is already next month in UTC", () => {
    const nyc = Date.parse("2026-01-31T23:30:00-05:00");
    expect(monthKey(nyc)).toBe("2026-02");
  });

  it("ends months in leap and short years correctly", () => {
    expect(new Date(nextMonthStart(Date.UTC(2028, 1, 29, 12))).toISOString()).toBe("2028-03-01T00:00:00.000Z");
    expect(new Date(periodEnd("daily", Date.UTC(2026, 1, 28, 23))).toISOString()).toBe("2026-03-01T00:00:00.000Z");
  });

  it("keeps day records 35 days and month records for the retention after their period", () => {
    expect(usageExpiry("daily", Date.UTC(2026, 10, 26, 5))).toBe(Date.UTC(2026, 10, 27 + 35) / 1000);
    expect(usageExpiry("monthly", Date.UTC(2026, 10, 26), 400)).toBe(Date.UTC(2026, 11, 1 + 400) / 1000);
  });

  it("parses unblock durations", () => {
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("7d")).toBe(7 * 86_400_000);
    expect(() => parseDuration("1w")).toThrow(/90m, 24h or 7d/);
  });
});
