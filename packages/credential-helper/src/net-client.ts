/**
 * The agents behind every outbound call, built from the decisions in `network.ts`: a `fetch` (undici,
 * with a `ProxyAgent` per proxy and the extra CAs) for the identity provider, the quota service, the
 * registry and `doctor`, and a `NodeHttpHandler` (https-proxy-agent) for the AWS SDK clients. Loaded
 * only when a network call is made: the warm `credential-process` never imports this module.
 *
 * Node itself honours neither HTTPS_PROXY nor NO_PROXY unless NODE_USE_ENV_PROXY is set (Node ≥ 24.5),
 * which a developer's shell rarely has; so the helper applies them itself, the way curl and the AWS CLI do.
 */
import type { FetchLike } from "./io.js";
import { network } from "./lazy.js";
import { proxyFor } from "./network.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The trusted roots when something beyond Node's defaults is wanted, else undefined (Node's defaults,
 * which already include NODE_EXTRA_CA_CERTS). Passing `ca` replaces the defaults, so the list repeats
 * Node's bundled roots and the NODE_EXTRA_CA_CERTS file before adding the stage's `caBundle`. A
 * `caBundle` that cannot be read is ignored with no error here: `doctor` reports it.
 */
export async function trustedCas(env: Env, caBundle: string | undefined): Promise<string[] | undefined> {
  if (!caBundle) return undefined;
  // Imported here, not at the top: in the bundle this module's imports would otherwise load with it.
  const [fs, tls] = await Promise.all([import("node:fs"), import("node:tls")]);
  const read = (f: string | undefined) => {
    if (!f) return [];
    try {
      return [fs.readFileSync(f, "utf8")];
    } catch {
      return [];
    }
  };
  const bundle = read(caBundle);
  if (bundle.length === 0) return undefined;
  return [...tls.rootCertificates, ...read(env.NODE_EXTRA_CA_CERTS), ...bundle];
}

/** A `fetch` that goes through the proxy `proxyFor` names for each URL and trusts `trustedCas`. */
export function proxyAwareFetch(env: Env, caBundle: () => string | undefined): FetchLike {
  let agents:
    | Promise<{
        direct: unknown;
        viaProxy: (url: string) => unknown;
        fetch: (input: string | URL | Request, init?: RequestInit & { dispatcher?: unknown }) => Promise<Response>;
      }>
    | undefined;
  const setup = () =>
    (agents ??= network().then(async (lib) => {
      const ca = await trustedCas(env, caBundle());
      const tlsOptions = ca ? { ca } : {};
      const direct = new lib.UndiciAgent({ connect: tlsOptions });
      const proxies = new Map<string, InstanceType<typeof lib.UndiciProxyAgent>>();
      return {
        direct,
        viaProxy: (url: string) => {
          let a = proxies.get(url);
          if (!a) proxies.set(url, (a = new lib.UndiciProxyAgent({ uri: url, requestTls: tlsOptions, proxyTls: tlsOptions })));
          return a;
        },
        fetch: lib.undiciFetch as never,
      };
    }));
  return async (input, init) => {
    const a = await setup();
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const proxy = proxyFor(url, env);
    return a.fetch(input, { ...init, dispatcher: proxy ? a.viaProxy(proxy.url) : a.direct } as never);
  };
}

/**
 * The `requestHandler` for an AWS SDK client that calls `endpoint` (the service's URL for the Region, or
 * the configured endpoint override): through the proxy `proxyFor` names for it, trusting `trustedCas`.
 */
export async function sdkRequestHandler(env: Env, caBundle: string | undefined, endpoint: string): Promise<unknown> {
  const lib = await network();
  const ca = await trustedCas(env, caBundle);
  const proxy = proxyFor(endpoint, env);
  let agent: unknown;
  if (proxy) {
    const viaProxy = new lib.HttpsProxyAgent(proxy.url, { keepAlive: true });
    // https-proxy-agent replaces the agent's `options` (which Node merges into every request) and passes
    // the request's options to the TLS connection inside the tunnel: the CA list goes there, or that
    // connection would trust Node's defaults only.
    if (ca) (viaProxy as unknown as { options: Record<string, unknown> }).options.ca = ca;
    agent = viaProxy;
  } else if (ca) {
    agent = new (await import("node:https")).Agent({ keepAlive: true, ca });
  }
  return new lib.NodeHttpHandler({
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    ...(agent ? { httpsAgent: agent as never, httpAgent: agent as never } : {}),
  });
}

/** The URL an SDK client calls: the configured override, else the service's regional endpoint. */
export function serviceUrl(override: string | undefined, service: string, region: string): string {
  if (override) return override;
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://${service}.${region}.${suffix}`;
}
