/** The proxy and TLS agents (see `net-client.ts`), part of the lazily embedded libraries (`heavy.ts`). */
export { fetch as undiciFetch, Agent as UndiciAgent, ProxyAgent as UndiciProxyAgent } from "undici";
export { HttpsProxyAgent } from "https-proxy-agent";
export { NodeHttpHandler } from "@smithy/node-http-handler";
