/**
 * Behind a corporate proxy with a private root CA: the IdP and the STS/quota stand-in serve HTTPS with a
 * certificate from a test CA on https://localhost:<port>, and a real tinyproxy on loopback is the only
 * way the helper is told to reach them (HTTPS_PROXY). The proxy's own log proves which calls went
 * through it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { baseEnv, browserLog, helperLines, runHelper, tempHome, writeSettings, removeTempHomes } from "./harness/helper.js";
import { makeTestCa, startProxy, type TestCa, type TestProxy } from "./harness/proxy.js";
import { startWorld, type World } from "./harness/world.js";

let ca: TestCa;
let proxy: TestProxy;
let w: World;

beforeAll(async () => {
  ca = makeTestCa();
  proxy = await startProxy();
  w = await startWorld({ tls: ca.tls });
});
afterAll(async () => {
  await w?.close();
  await proxy?.close();
  ca?.remove();
  removeTempHomes();
});
beforeEach(() => proxy.reset());

const hostOf = (url: string) => new URL(url).host;

async function setUp(extra: Record<string, string>, settingsOverrides: Record<string, unknown> = {}) {
  const home = tempHome("proxy");
  const settings = w.settings({
    quota: { checkUrl: `${w.sts.endpoint}/check`, failMode: "closed", timeoutMs: 5000 },
    ...settingsOverrides,
  });
  const file = writeSettings(home, settings);
  // No CLAUDE_BEDROCK_ALLOW_INSECURE_LOOPBACK: everything here is https.
  const env = baseEnv(home, {
    CLAUDE_BEDROCK_ALLOW_INSECURE_LOOPBACK: undefined,
    AWS_ENDPOINT_URL_STS: w.sts.endpoint,
    E2E_BROWSER_TEST_CA: "1",
    ...extra,
  });
  const setup = await runHelper(["setup", "--settings", file], env);
  expect(setup.code, setup.stderr).toBe(0);
  return { home, env };
}

describe("behind an HTTPS proxy with a private root CA", () => {
  it("signs in, refreshes, calls the quota service and STS through the proxy (its log shows each CONNECT)", async () => {
    const { env } = await setUp({ HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile });
    const idp = hostOf(w.idp.issuer);
    const sts = hostOf(w.sts.endpoint);

    const first = await runHelper(["credential-process"], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).Version).toBe(1);
    const signIn = proxy.connects();
    // Discovery, JWKS and the token endpoint on the IdP; the quota check and STS on the stand-in.
    expect(signIn).toContain(idp);
    expect(signIn).toContain(sts);
    expect(w.sts.quotaCalls).toBeGreaterThan(0);

    // Refresh: no usable credentials or id_token, only the refresh token.
    proxy.reset();
    const { rmSync } = await import("node:fs");
    const { cacheFile } = await import("./harness/helper.js");
    const home = env.HOME!;
    rmSync(cacheFile(home, "credentials.json"));
    rmSync(cacheFile(home, "id-token.json"));
    const grants = w.idp.grants.refresh_token ?? 0;
    const second = await runHelper(["credential-process"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(w.idp.grants.refresh_token).toBe(grants + 1);
    expect(browserLog(home)).toHaveLength(1);
    expect(proxy.connects()).toEqual(expect.arrayContaining([idp, sts]));
  });

  it("NO_PROXY hosts bypass the proxy (host rule), and a port rule bypasses only that port", async () => {
    const all = await setUp({ HTTPS_PROXY: proxy.url, NO_PROXY: "example.com,localhost", NODE_EXTRA_CA_CERTS: ca.caFile });
    const r = await runHelper(["credential-process"], all.env);
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.connects()).toEqual([]);

    proxy.reset();
    const stsPort = new URL(w.sts.endpoint).port;
    const some = await setUp({ https_proxy: proxy.url, no_proxy: `localhost:${stsPort}`, NODE_EXTRA_CA_CERTS: ca.caFile });
    const r2 = await runHelper(["credential-process"], some.env);
    expect(r2.code, r2.stderr).toBe(0);
    const seen = proxy.connects();
    expect(seen).toContain(hostOf(w.idp.issuer));
    expect(seen).not.toContain(hostOf(w.sts.endpoint));
  });

  it("without the private root CA the sign-in fails with a clear error naming NODE_EXTRA_CA_CERTS", async () => {
    const { home, env } = await setUp({ HTTPS_PROXY: proxy.url });
    const r = await runHelper(["credential-process"], env);
    expect(r.code).toBe(15);
    const [line] = helperLines(r.stderr);
    expect(line).toMatch(
      /TLS certificate of the identity provider at localhost:\d+ \(through the proxy http:\/\/127\.0\.0\.1:\d+\) is not trusted/,
    );
    expect(line).toContain("NODE_EXTRA_CA_CERTS is not set");
    expect(line).toContain("set NODE_EXTRA_CA_CERTS to the PEM file of your organisation's root CA");
    expect(line).toContain("[ERR_TLS_UNTRUSTED]");
    expect(browserLog(home)).toEqual([]);
  });

  it("a stage caBundle is trusted like NODE_EXTRA_CA_CERTS", async () => {
    const { env } = await setUp({ HTTPS_PROXY: proxy.url }, { caBundle: ca.caFile });
    const r = await runHelper(["credential-process"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.connects()).toContain(hostOf(w.sts.endpoint));
  });

  it("a proxy that is down is named, with the variable it came from", async () => {
    const { env } = await setUp({ HTTPS_PROXY: "http://127.0.0.1:9", NODE_EXTRA_CA_CERTS: ca.caFile });
    const r = await runHelper(["credential-process"], env);
    expect(r.code).toBe(16);
    expect(helperLines(r.stderr)[0]).toMatch(
      /cannot reach the proxy http:\/\/127\.0\.0\.1:9 \(from HTTPS_PROXY\) to call the identity provider at localhost:\d+.*\[ERR_PROXY_FAILED\]/,
    );
  });

  it("a proxy that refuses the tunnel to STS is named, not mistaken for an AWS answer", async () => {
    const strict = await startProxy({ config: ["ConnectPort 443"] });
    try {
      // No quota service: STS (through the AWS SDK's agent, not fetch) is the first call through the proxy.
      const { env } = await setUp(
        { HTTPS_PROXY: strict.url, NO_PROXY: `localhost:${new URL(w.idp.issuer).port}`, NODE_EXTRA_CA_CERTS: ca.caFile },
        { quota: undefined },
      );
      const r = await runHelper(["credential-process"], env);
      expect(r.code).toBe(16);
      expect(helperLines(r.stderr).at(-1)).toMatch(
        /the proxy http:\/\/127\.0\.0\.1:\d+ \(from HTTPS_PROXY\) did not open a connection to AWS STS at localhost:\d+.*\[ERR_PROXY_FAILED\]/,
      );
    } finally {
      await strict.close();
    }
  });

  it("doctor shows the proxy and the CA in effect and reaches the IdP and STS through them", async () => {
    const { env } = await setUp({ HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile });
    const r = await runHelper(["doctor"], env);
    const out = r.stdout;
    expect(out).toMatch(new RegExp(`ok +proxy: https via ${proxy.url.replace(/[.]/g, "\\.")} \\(HTTPS_PROXY\\)`));
    expect(out).toContain(`ok    extra CA: NODE_EXTRA_CA_CERTS ${ca.caFile}: 1 certificate`);
    expect(out).toMatch(/ok +identity provider: https:\/\/localhost:\d+ reachable through http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/ok +reach AWS STS: localhost:\d+ answered through http:\/\/127\.0\.0\.1:\d+ \(HTTP \d+\)/);
    expect(proxy.connects()).toEqual(expect.arrayContaining([hostOf(w.idp.issuer), hostOf(w.sts.endpoint)]));

    const bad = await runHelper(["doctor"], { ...env, NODE_EXTRA_CA_CERTS: "" });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL +identity provider: the TLS certificate of the identity provider at localhost:\d+ .*is not trusted/);
    expect(bad.stdout).toContain("fix: if your network inspects TLS (a corporate proxy), set NODE_EXTRA_CA_CERTS");
  });
});
