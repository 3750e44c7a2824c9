/** An identity provider made of a `fetch` function: discovery, JWKS and a scripted token endpoint. */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import type { FetchLike } from "../src/io.js";

export const ISSUER = "https://idp.example.com/oauth2/default";
export const CLIENT_ID = "client-123";

export interface FakeIdp {
  readonly fetch: FetchLike;
  readonly requests: string[];
  /** What POST /token answers; default: a fresh id_token for alice. */
  token: (form: URLSearchParams) => Promise<{ status: number; body: unknown }>;
  sign(claims: Record<string, unknown>, opts?: { foreign?: boolean }): Promise<string>;
}

export async function fakeIdp(nowMs: () => number): Promise<FakeIdp> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const foreign = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const sign = (claims: Record<string, unknown>, opts: { foreign?: boolean } = {}) => {
    const now = Math.floor(nowMs() / 1000);
    return new SignJWT({
      iss: ISSUER,
      aud: CLIENT_ID,
      sub: "alice",
      email: "alice@example.com",
      team: "platform",
      iat: now,
      exp: now + 3600,
      ...claims,
    })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .sign((opts.foreign ? foreign.privateKey : privateKey) as CryptoKey);
  };
  const idp: FakeIdp = {
    requests: [],
    sign,
    token: async () => ({
      status: 200,
      body: { access_token: "at", token_type: "Bearer", expires_in: 3600, id_token: await sign({}), refresh_token: "rt-2" },
    }),
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      idp.requests.push(`${init?.method ?? "GET"} ${url.pathname}`);
      const json = (status: number, body: unknown) =>
        new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
      if (url.pathname.endsWith("/.well-known/openid-configuration")) {
        return json(200, {
          issuer: ISSUER,
          authorization_endpoint: `${ISSUER}/v1/authorize`,
          token_endpoint: `${ISSUER}/v1/token`,
          jwks_uri: `${ISSUER}/v1/keys`,
          device_authorization_endpoint: `${ISSUER}/v1/device/authorize`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
        });
      }
      if (url.pathname.endsWith("/v1/keys")) return json(200, { keys: [jwk] });
      if (url.pathname.endsWith("/v1/token")) {
        const body = init?.body instanceof URLSearchParams ? init.body : new URLSearchParams(String(init?.body ?? ""));
        const r = await idp.token(body);
        return json(r.status, r.body);
      }
      return json(404, {});
    },
  };
  return idp;
}
