import * as net from "node:net";
import { freePort } from "@ccb/test-support";
import { describe, expect, it } from "vitest";
import { startCallbackServer } from "./callback-server.js";

/** Whether this machine can listen on the IPv6 loopback (not where IPv6 is disabled). */
async function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer().once("error", () => resolve(false));
    srv.listen({ port: 0, host: "::1", ipv6Only: true }, () => srv.close(() => resolve(true)));
  });
}

const hasIpv6Loopback = await ipv6Loopback();

describe("loopback callback server", () => {
  it("ignores stray requests and stale states, and resolves on the real redirect", async () => {
    const port = await freePort();
    const server = await startCallbackServer(port, "/callback");
    expect(server.redirectUri).toBe(`http://127.0.0.1:${port}/callback`);
    const waiting = server.waitForCallback("good-state", 5_000);
    expect((await fetch(`http://127.0.0.1:${port}/favicon.ico`)).status).toBe(404);
    const stale = await fetch(`http://127.0.0.1:${port}/callback?code=c&state=old`);
    expect(stale.status).toBe(400);
    expect(await stale.text()).toContain("This sign-in link is stale");
    const pending = fetch(`http://127.0.0.1:${port}/callback?code=the-code&state=good-state`);
    const cb = await waiting;
    expect(cb.url.searchParams.get("code")).toBe("the-code");
    cb.finish({ ok: true });
    expect(await (await pending).text()).toContain("Signed in");
    await server.close();
  });

  it("reports a cancelled sign-in with the right state, and stale-only traffic as a state mismatch", async () => {
    const port = await freePort();
    const server = await startCallbackServer(port, "/cb");
    const cancelled = server.waitForCallback("s1", 5_000).catch((e: unknown) => e);
    const page = await fetch(`http://127.0.0.1:${port}/cb?error=access_denied&state=s1`);
    expect(await cancelled).toMatchObject({ code: "ERR_LOGIN_CANCELLED" });
    expect(await page.text()).toContain("Sign-in failed");
    const mismatch = server.waitForCallback("s2", 300).catch((e: unknown) => e);
    await fetch(`http://127.0.0.1:${port}/cb?code=x&state=forged`);
    expect(await mismatch).toMatchObject({ code: "ERR_LOGIN_STATE_MISMATCH" });
    await expect(server.waitForCallback("s3", 50)).rejects.toMatchObject({ code: "ERR_LOGIN_TIMEOUT" });
    await server.close();
  });

  it("fails with ERR_LOGIN_PORT_IN_USE when the port is taken, binding 127.0.0.1 only", async () => {
    const squatter = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => squatter.once("listening", r));
    const port = (squatter.address() as net.AddressInfo).port;
    await expect(startCallbackServer(port, "/callback")).rejects.toMatchObject({ code: "ERR_LOGIN_PORT_IN_USE" });
    squatter.close();
  });

  it("builds the redirect URI on the stage's redirect host (127.0.0.1 unless the stage says localhost)", async () => {
    for (const [host, expected] of [
      [undefined, "127.0.0.1"],
      ["127.0.0.1", "127.0.0.1"],
      ["localhost", "localhost"],
    ] as const) {
      const port = await freePort();
      const server = await startCallbackServer(port, "/callback", host);
      expect(server.redirectUri).toBe(`http://${expected}:${port}/callback`);
      await server.close();
    }
  });

  it("with redirectHost localhost, answers on localhost, 127.0.0.1 and (where the machine has it) [::1]", async () => {
    const port = await freePort();
    const server = await startCallbackServer(port, "/callback", "localhost");
    const urls = [
      `http://localhost:${port}/callback`,
      `http://127.0.0.1:${port}/callback`,
      ...(hasIpv6Loopback ? [`http://[::1]:${port}/callback`] : []),
    ];
    for (const [i, base] of urls.entries()) {
      const waiting = server.waitForCallback(`state-${i}`, 5_000);
      const pending = fetch(`${base}?code=code-${i}&state=state-${i}`);
      const cb = await waiting;
      expect(cb.url.searchParams.get("code")).toBe(`code-${i}`);
      cb.finish({ ok: true });
      expect(await (await pending).text()).toContain("Signed in");
    }
    await server.close();
  });

  it.runIf(hasIpv6Loopback)(
    "with redirectHost localhost, a taken [::1] port is ERR_LOGIN_PORT_IN_USE and 127.0.0.1 is let go",
    async () => {
      const squatter = net.createServer().listen({ port: 0, host: "::1", ipv6Only: true });
      await new Promise((r) => squatter.once("listening", r));
      const port = (squatter.address() as net.AddressInfo).port;
      const free = await new Promise<boolean>((resolve) => {
        const probe = net
          .createServer()
          .once("error", () => resolve(false))
          .listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
      });
      if (free) {
        await expect(startCallbackServer(port, "/callback", "localhost")).rejects.toMatchObject({
          code: "ERR_LOGIN_PORT_IN_USE",
          message: expect.stringContaining(`[::1]:${port}`),
        });
        const server = await startCallbackServer(port, "/callback");
        await server.close();
      }
      squatter.close();
    },
  );
});
