import { afterEach, describe, expect, it } from "vitest";
import { bypassesProxy, networkFailure, networkSummary, proxyFor, showProxy, useStageCaBundle } from "./network.js";

describe("proxyFor (curl and AWS CLI rules)", () => {
  const env = { HTTPS_PROXY: "http://proxy.corp:3128", HTTP_PROXY: "http://plain.corp:8080" };

  it("https URLs use HTTPS_PROXY, http URLs HTTP_PROXY; lowercase wins over uppercase", () => {
    expect(proxyFor("https://idp.example.com/x", env)).toEqual({ url: "http://proxy.corp:3128", from: "HTTPS_PROXY" });
    expect(proxyFor("http://idp.example.com/x", env)).toEqual({ url: "http://plain.corp:8080", from: "HTTP_PROXY" });
    expect(proxyFor("https://a.example.com", { ...env, https_proxy: "http://lower:1" })).toEqual({
      url: "http://lower:1",
      from: "https_proxy",
    });
  });

  it("an https URL never falls back to HTTP_PROXY (as curl), and no variable means a direct connection", () => {
    expect(proxyFor("https://idp.example.com", { HTTP_PROXY: "http://plain.corp:8080" })).toBeUndefined();
    expect(proxyFor("https://idp.example.com", {})).toBeUndefined();
    expect(proxyFor("https://idp.example.com", { HTTPS_PROXY: "  " })).toBeUndefined();
  });

  it("a proxy without a scheme is http", () => {
    expect(proxyFor("https://x.example.com", { HTTPS_PROXY: "proxy.corp:3128" })?.url).toBe("http://proxy.corp:3128");
  });

  it("NO_PROXY bypasses it", () => {
    expect(proxyFor("https://sts.us-east-1.amazonaws.com", { ...env, NO_PROXY: "amazonaws.com" })).toBeUndefined();
    expect(proxyFor("https://idp.example.com", { ...env, no_proxy: "*" })).toBeUndefined();
    expect(proxyFor("https://idp.example.com", { ...env, NO_PROXY: "other.com" })).toBeDefined();
  });
});

describe("bypassesProxy (NO_PROXY)", () => {
  const cases: Array<[string, number, string, boolean]> = [
    ["example.com", 443, "example.com", true],
    ["api.example.com", 443, "example.com", true],
    ["api.example.com", 443, ".example.com", true],
    ["api.example.com", 443, "*.example.com", true],
    ["badexample.com", 443, "example.com", false],
    ["example.com", 443, "EXAMPLE.COM.", true],
    ["example.com", 8443, "example.com:8443", true],
    ["example.com", 443, "example.com:8443", false],
    ["10.1.2.3", 443, "10.0.0.0/8", true],
    ["11.1.2.3", 443, "10.0.0.0/8", false],
    ["192.168.1.7", 443, "192.168.1.7", true],
    ["[::1]", 443, "::1", true],
    ["[fd00::5]", 443, "fd00::/8", true],
    ["[fe80::5]", 443, "fd00::/8", false],
    ["[::1]", 8080, "[::1]:8080", true],
    ["a.example.org", 443, "foo.com, bar.net  example.org", true],
    ["anything", 1, "*", true],
    ["anything", 1, "", false],
  ];
  it.each(cases)("%s:%i with NO_PROXY=%j → %s", (host, port, noProxy, expected) => {
    expect(bypassesProxy(host, port, noProxy)).toBe(expected);
  });
});

describe("networkFailure", () => {
  afterEach(() => useStageCaBundle(undefined));
  const tlsError = () =>
    Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("unable to get local issuer certificate"), { code: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" }),
    });

  it("an untrusted chain names NODE_EXTRA_CA_CERTS, the host and the proxy", () => {
    const e = networkFailure(
      tlsError(),
      "https://idp.example.com/.well-known/openid-configuration",
      { HTTPS_PROXY: "http://user:secret@proxy.corp:3128" },
      "the identity provider",
    )!;
    expect(e.code).toBe("ERR_TLS_UNTRUSTED");
    expect(e.message).toBe(
      "the TLS certificate of the identity provider at idp.example.com (through the proxy http://proxy.corp:3128) is not trusted (UNABLE_TO_GET_ISSUER_CERT_LOCALLY); NODE_EXTRA_CA_CERTS is not set",
    );
    expect(e.toLine()).not.toContain("secret");
    expect(e.fix).toContain("NODE_EXTRA_CA_CERTS");
  });

  it("with NODE_EXTRA_CA_CERTS set, says that file does not hold the root; mentions the stage caBundle", () => {
    useStageCaBundle(() => "/opt/claude-bedrock/corp-ca.pem");
    const e = networkFailure(tlsError(), "https://sts.us-east-1.amazonaws.com", { NODE_EXTRA_CA_CERTS: "/etc/ssl/corp.pem" }, "AWS STS")!;
    expect(e.message).toContain("NODE_EXTRA_CA_CERTS is /etc/ssl/corp.pem, which does not hold the root CA of this chain");
    expect(e.message).toContain("the stage's caBundle /opt/claude-bedrock/corp-ca.pem does not hold it either");
  });

  it("a proxy that refuses the connection or the tunnel is ERR_PROXY_FAILED; without a proxy it is not a network-layer error", () => {
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }),
    });
    const env = { HTTPS_PROXY: "http://127.0.0.1:9" };
    expect(networkFailure(refused, "https://idp.example.com", env, "the identity provider")?.message).toBe(
      "cannot reach the proxy http://127.0.0.1:9 (from HTTPS_PROXY) to call the identity provider at idp.example.com (ECONNREFUSED)",
    );
    const tunnel = Object.assign(new TypeError("fetch failed"), { cause: new Error("Proxy response (403) !== 200 when HTTP Tunneling") });
    expect(networkFailure(tunnel, "https://idp.example.com", env, "the identity provider")?.code).toBe("ERR_PROXY_FAILED");
    expect(networkFailure(refused, "https://idp.example.com", {}, "the identity provider")).toBeUndefined();
    // The proxy's own refusal handed to the AWS SDK as the service's answer (no request id).
    const viaSdk = Object.assign(new Error("Unknown"), { name: "Unknown", $metadata: { httpStatusCode: 403 } });
    expect(networkFailure(viaSdk, "https://sts.us-east-1.amazonaws.com", env, "AWS STS")?.message).toBe(
      "the proxy http://127.0.0.1:9 (from HTTPS_PROXY) did not open a connection to AWS STS at sts.us-east-1.amazonaws.com: it answered HTTP 403 (it may not allow this host or port)",
    );
    const aws = Object.assign(new Error("denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403, requestId: "r-1" } });
    expect(networkFailure(aws, "https://sts.us-east-1.amazonaws.com", env, "AWS STS")).toBeUndefined();
    // The target refusing (not the proxy) is the caller's "cannot reach" as before.
    const target = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:443"), { code: "ECONNREFUSED" }),
    });
    expect(
      networkFailure(
        target,
        "https://idp.example.com",
        { HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "example.com" },
        "the identity provider",
      ),
    ).toBeUndefined();
  });
});

describe("networkSummary and showProxy", () => {
  it("never shows proxy credentials", () => {
    expect(showProxy("http://alice:pw@proxy.corp:3128")).toBe("http://proxy.corp:3128");
    expect(networkSummary({ HTTPS_PROXY: "http://alice:pw@proxy.corp:3128", NO_PROXY: "localhost" })).toEqual({
      proxies: ["https via http://proxy.corp:3128 (HTTPS_PROXY)"],
      noProxy: "localhost",
    });
  });
});
