import { describe, expect, it } from "vitest";
import { checkQuota, parseQuotaAnswer } from "./quota.js";
import { testDeps } from "../test/support.js";

const q = (failMode: "open" | "closed") => ({ checkUrl: "https://quota.example.com/check", failMode, timeoutMs: 500 });
const answer = (status: number, body: unknown) => async () =>
  new Response(typeof body === "string" ? body : JSON.stringify(body), { status });

describe("quota check contract", () => {
  it("parses the documented answer and ignores unknown fields", () => {
    expect(parseQuotaAnswer({ allowed: true, usage: { percent: 10 }, extra: 1 })).toEqual({ allowed: true, usage: { percent: 10 } });
    expect(parseQuotaAnswer({ allowed: "yes" })).toBeUndefined();
    expect(parseQuotaAnswer({ allowed: true, alerts: [{ threshold: 80, message: "m" }, { nope: 1 }] })?.alerts).toEqual([
      { threshold: 80, message: "m" },
    ]);
  });

  it("allows, and warns once per alert", async () => {
    const d = testDeps({ fetch: answer(200, { allowed: true, alerts: [{ threshold: 90, message: "90% used" }] }) });
    expect(await checkQuota(d, q("closed"), "tok")).toMatchObject({ allowed: true, outcome: "allowed" });
    expect(d.err).toEqual(["claude-bedrock: warning: usage: 90% used\n"]);
  });

  it("blocks when not allowed, whatever the fail mode", async () => {
    const d = testDeps({ fetch: answer(200, { allowed: false, reason: "over budget" }) });
    await expect(checkQuota(d, q("open"), "tok")).rejects.toMatchObject({
      code: "ERR_QUOTA_BLOCKED",
      message: expect.stringContaining("over budget"),
    });
  });

  it("tells the user the service's sentence rather than its reason code", async () => {
    const d = testDeps({
      fetch: answer(200, { allowed: false, reason: "monthly_cost_exceeded", message: "You have used 150% of your monthly spend limit." }),
    });
    const error = (await checkQuota(d, q("open"), "tok").catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("You have used 150% of your monthly spend limit.");
    expect(error.message).not.toContain("monthly_cost_exceeded");
  });

  it.each([
    ["HTTP 500", answer(500, "boom")],
    ["HTTP 401", answer(401, "")],
    ["a body outside the contract", answer(200, { ok: true })],
    ["a network error", async () => Promise.reject(new TypeError("fetch failed"))],
    [
      "a timeout",
      async (_u: unknown, init?: RequestInit) =>
        new Promise<Response>((_r, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))),
    ],
  ])("on %s: fail-open continues with a warning, fail-closed refuses", async (_l, fetch) => {
    const open = testDeps({ fetch: fetch as never });
    expect(await checkQuota(open, q("open"), "tok")).toMatchObject({ allowed: true, outcome: "unavailable" });
    expect(open.err.join("")).toContain("continuing because this stage fails open");
    await expect(checkQuota(testDeps({ fetch: fetch as never }), q("closed"), "tok")).rejects.toMatchObject({
      code: "ERR_QUOTA_UNAVAILABLE",
    });
  });
});
