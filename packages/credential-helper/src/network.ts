/**
 * The corporate network, as the rest of the helper sees it: which proxy a URL goes through, which extra
 * root CAs are trusted, and what a failed connection means for the user. Pure and dependency-free (the
 * warm path may import it); the agents that act on these decisions live in `net-client.ts`, which loads
 * undici and https-proxy-agent only when a network call is made.
 *
 * Proxy rules follow curl and the AWS CLI:
 * - `https:` URLs use `https_proxy`/`HTTPS_PROXY`, `http:` URLs `http_proxy`/`HTTP_PROXY` (lowercase wins);
 * - `NO_PROXY`/`no_proxy` is a comma- or space-separated list: `*` (everything), a host name that also
 *   matches its subdomains (`example.com`, `.example.com` and `*.example.com` are the same rule), an IP
 *   address, an IPv4/IPv6 CIDR block (`10.0.0.0/8`), each optionally with `:port` (then only that port).
 */
import { HelperError } from "./errors.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface ProxyChoice {
  /** The proxy URL, e.g. `http://proxy.corp:3128` (credentials, if any, stay inside it and are never shown). */
  readonly url: string;
  /** The variable it came from, for messages. */
  readonly from: string;
}

const first = (env: Env, ...names: string[]): { value: string; name: string } | undefined => {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { value, name };
  }
  return undefined;
};

/** The proxy for `target`, or undefined for a direct connection. */
export function proxyFor(target: string | URL, env: Env): ProxyChoice | undefined {
  const url = typeof target === "string" ? new URL(target) : target;
  const scheme = url.protocol.replace(/:$/, "");
  const found =
    scheme === "https" ? first(env, "https_proxy", "HTTPS_PROXY") : scheme === "http" ? first(env, "http_proxy", "HTTP_PROXY") : undefined;
  if (!found) return undefined;
  const port = url.port ? Number(url.port) : scheme === "https" ? 443 : 80;
  if (bypassesProxy(url.hostname, port, first(env, "no_proxy", "NO_PROXY")?.value ?? "")) return undefined;
  // A proxy given without a scheme (`proxy.corp:3128`) means http, as in curl.
  const proxyUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(found.value) ? found.value : `http://${found.value}`;
  return { url: proxyUrl, from: found.name };
}

/** The proxy URL without user name and password, for display. */
export function showProxy(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(unparsable proxy URL)";
  }
}

const unbracket = (h: string) => h.replace(/^\[|\]$/g, "").toLowerCase();

/** Whether `NO_PROXY` sends host:port directly. */
export function bypassesProxy(hostname: string, port: number, noProxy: string): boolean {
  const host = unbracket(hostname).replace(/\.$/, "");
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    let entryPort: number | undefined;
    // host:port or [v6]:port; a bare IPv6 address has several colons and no port.
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (m) {
      entry = m[1]!;
      entryPort = Number(m[2]);
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    entry = unbracket(entry)
      .replace(/^\*?\./, "")
      .replace(/\.$/, "");
    if (!entry) continue;
    if (entry.includes("/")) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

function inCidr(host: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  const a = ipBytes(host);
  const b = ipBytes(base ?? "");
  if (!a || !b || a.length !== b.length || !Number.isInteger(bits) || bits < 0 || bits > a.length * 8) return false;
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((a[Math.floor(i / 8)]! & mask) !== (b[Math.floor(i / 8)]! & mask)) return false;
  }
  return true;
}

/** IPv4 (4 bytes) or IPv6 (16 bytes) address bytes; undefined for a host name. */
function ipBytes(text: string): number[] | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    return parts.every((p) => p <= 255) ? parts : undefined;
  }
  if (!text.includes(":") || !/^[0-9a-f:.]+$/.test(text)) return undefined;
  const [headText, tailText] = text.split("::");
  if (text.split("::").length > 2) return undefined;
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const head = groups(headText);
  const tail = groups(tailText);
  const missing = 8 - head.length - tail.length;
  if (tailText === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(tailText === undefined ? 0 : missing).fill("0"), ...tail];
  const bytes: number[] = [];
  for (const g of all) {
    const n = parseInt(g, 16);
    if (!/^[0-9a-f]{1,4}$/.test(g) || Number.isNaN(n)) return undefined;
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}

/**
 * The stage's `caBundle` (a PEM file the distribution ships), set once the stage settings are known
 * (`cli.ts`). Module state rather than a `Deps` field because `realDeps().fetch` exists before any
 * settings are read, and every later network call must see the same trust.
 */
let stageCaBundle: (() => string | undefined) | undefined;
/** `resolve` runs on the first network call only (a relative path needs the helper's own location). */
export function useStageCaBundle(resolve: (() => string | undefined) | undefined): void {
  let memo: { file: string | undefined } | undefined;
  stageCaBundle = resolve && (() => (memo ??= { file: resolve() }).file);
}
export function currentStageCaBundle(): string | undefined {
  return stageCaBundle?.();
}

/** TLS verification failures that mean "the root CA of this chain is not trusted here". */
const UNTRUSTED = new Set([
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_UNTRUSTED",
]);

interface Shaped {
  code?: string;
  message?: string;
  cause?: unknown;
  name?: string;
}

function chain(e: unknown): Shaped[] {
  const out: Shaped[] = [];
  let cur = e;
  for (let i = 0; i < 6 && cur && typeof cur === "object"; i++) {
    out.push(cur as Shaped);
    cur = (cur as Shaped).cause;
  }
  return out;
}

/**
 * A failed connection explained in the network's terms, or undefined when it is not a proxy or TLS trust
 * problem (the caller then reports "cannot reach …" as before).
 *
 * @param target the URL that was called
 * @param what what was being called, for the message ("the identity provider", "AWS STS")
 */
export function networkFailure(e: unknown, target: string, env: Env, what: string): HelperError | undefined {
  if (e instanceof HelperError) return undefined;
  const links = chain(e);
  let host: string;
  try {
    host = new URL(target).host;
  } catch {
    host = target;
  }
  const proxy = (() => {
    try {
      return proxyFor(target, env);
    } catch {
      return undefined;
    }
  })();
  const tls = links.find((l) => l.code && UNTRUSTED.has(l.code));
  if (tls) {
    const extra = env.NODE_EXTRA_CA_CERTS;
    const via = proxy ? ` (through the proxy ${showProxy(proxy.url)})` : "";
    const caNote = extra
      ? `NODE_EXTRA_CA_CERTS is ${extra}, which does not hold the root CA of this chain (or could not be read when the helper started)`
      : "NODE_EXTRA_CA_CERTS is not set";
    const bundle = currentStageCaBundle();
    return new HelperError(
      "ERR_TLS_UNTRUSTED",
      `the TLS certificate of ${what} at ${host}${via} is not trusted (${tls.code}); ${caNote}${bundle ? `, and the stage's caBundle ${bundle} does not hold it either` : ""}`,
      { cause: e },
    );
  }
  if (!proxy) return undefined;
  const tunnel = links.find((l) => /proxy|tunnel/i.test(l.message ?? ""));
  if (tunnel) {
    return new HelperError(
      "ERR_PROXY_FAILED",
      `the proxy ${showProxy(proxy.url)} (from ${proxy.from}) did not open a connection to ${what} at ${host}: ${tunnel.message}`,
      { cause: e },
    );
  }
  // https-proxy-agent hands a refused CONNECT's answer to the AWS SDK as if the service had sent it:
  // an HTTP error the SDK cannot parse ("Unknown") and without the request id every AWS answer carries.
  const sdk = e as { name?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  const status = sdk.$metadata?.httpStatusCode;
  if (
    status !== undefined &&
    status >= 400 &&
    !sdk.$metadata?.requestId &&
    (sdk.name === "Unknown" || sdk.name === "UnknownError" || status === 407)
  ) {
    return new HelperError(
      "ERR_PROXY_FAILED",
      `the proxy ${showProxy(proxy.url)} (from ${proxy.from}) did not open a connection to ${what} at ${host}: it answered HTTP ${status}${status === 407 ? " (proxy authentication required)" : " (it may not allow this host or port)"}`,
      { cause: e },
    );
  }
  const proxyHost = (() => {
    try {
      return new URL(proxy.url).host;
    } catch {
      return proxy.url;
    }
  })();
  const refused = links.find(
    (l) =>
      l.code === "ECONNREFUSED" || l.code === "ENOTFOUND" || l.code === "EAI_AGAIN" || l.code === "EHOSTUNREACH" || l.code === "ECONNRESET",
  );
  if (refused && (refused.message ?? "").includes(proxyHost.replace(/^\[|\]$/g, "").split(":")[0]!)) {
    return new HelperError(
      "ERR_PROXY_FAILED",
      `cannot reach the proxy ${showProxy(proxy.url)} (from ${proxy.from}) to call ${what} at ${host} (${refused.code})`,
      { cause: e },
    );
  }
  return undefined;
}

/** What `doctor` shows: the proxies in effect and the extra CAs. */
export function networkSummary(env: Env): { proxies: string[]; noProxy?: string; extraCa?: string; caBundle?: string } {
  const https = first(env, "https_proxy", "HTTPS_PROXY");
  const http = first(env, "http_proxy", "HTTP_PROXY");
  const noProxy = first(env, "no_proxy", "NO_PROXY");
  return {
    proxies: [
      ...(https ? [`https via ${showProxy(https.value.includes("://") ? https.value : `http://${https.value}`)} (${https.name})`] : []),
      ...(http ? [`http via ${showProxy(http.value.includes("://") ? http.value : `http://${http.value}`)} (${http.name})`] : []),
    ],
    ...(noProxy ? { noProxy: noProxy.value } : {}),
    ...(env.NODE_EXTRA_CA_CERTS ? { extraCa: env.NODE_EXTRA_CA_CERTS } : {}),
    ...(currentStageCaBundle() ? { caBundle: currentStageCaBundle() } : {}),
  };
}
