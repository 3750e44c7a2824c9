/**
 * A real OpenID provider (panva's oidc-provider) on 127.0.0.1 for the end-to-end tests: a public native
 * client with PKCE, refresh tokens via offline_access, device flow, and users with email, department,
 * team and cost_center claims. Test hooks can forge token responses (signed with the provider's own key,
 * or with a stranger's), break discovery, and count grants.
 */
import * as http from "node:http";
import * as https from "node:https";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";

export const CLIENT_ID = "claude-bedrock-e2e";

export const USERS: Record<string, { email: string; department: string; team: string; cost_center: string }> = {
  alice: { email: "alice@example.com", department: "engineering", team: "platform", cost_center: "cc-1234" },
  bob: { email: "bob+ops@example.com", department: "operations", team: "sre", cost_center: "cc-9999" },
};

export interface TestIdp {
  readonly issuer: string;
  readonly port: number;
  /** Private signing key of the provider (JWK with kid). */
  readonly privateJwk: JWK;
  /** Grants at the token endpoint by type, e.g. authorization_code, refresh_token. */
  readonly grants: Record<string, number>;
  /** When set, POST /token answers with this instead of the provider. */
  forgeToken?: (grantType: string) => Record<string, unknown> | { status: number; body: Record<string, unknown> };
  /** When set, discovery answers with this issuer. */
  discoveryIssuer?: string;
  /** Signs claims as the provider (or with `foreignKey` to fake a bad signature). */
  sign(claims: Record<string, unknown>, options?: { foreignKey?: boolean; expiresIn?: number }): Promise<string>;
  revokeRefreshToken(token: string): Promise<number>;
  close(): Promise<void>;
}

/** A certificate for `localhost` and 127.0.0.1 (from a test CA): the IdP then serves https://localhost:<port>. */
export interface TestTls {
  readonly key: string;
  readonly cert: string;
}

export async function startIdp(redirectUris: string[], options: { tls?: TestTls } = {}): Promise<TestIdp> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const foreign = await generateKeyPair("RS256", { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: "e2e-key-1", alg: "RS256", use: "sig" };

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }) : http.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const issuer = options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        application_type: "native",
        token_endpoint_auth_method: "none",
        redirect_uris: redirectUris,
        grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [privateJwk] },
    pkce: { required: () => true },
    scopes: ["openid", "email", "profile", "offline_access"],
    claims: { openid: ["sub", "email", "department", "team", "cost_center"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, email_verified: true, name: sub, ...(USERS[sub] ?? { email: `${sub}@example.com` }) }),
    }),
    features: { devInteractions: { enabled: true }, deviceFlow: { enabled: true }, revocation: { enabled: true } },
    conformIdTokenClaims: false,
    cookies: { keys: ["e2e-only-cookie-key"] },
    ttl: { IdToken: 3600, AccessToken: 3600, RefreshToken: 86400, Grant: 86400, Session: 86400, Interaction: 600, DeviceCode: 600 },
  });
  // oidc-provider warns about dev settings on every start; the tests know.
  provider.on("server_error", (_ctx, err) => console.error("idp server_error", err));

  const grants: Record<string, number> = {};
  const count = (ctx: { oidc?: { params?: { grant_type?: unknown } } }) => {
    const g = String(ctx.oidc?.params?.grant_type ?? "?");
    grants[g] = (grants[g] ?? 0) + 1;
  };
  provider.on("grant.success", count);
  provider.on("grant.error", count);
  const callback = provider.callback();

  const idp: TestIdp = {
    issuer,
    port,
    privateJwk,
    grants,
    async sign(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, aud: CLIENT_ID, iat: now, exp: now + (options.expiresIn ?? 3600), ...claims })
        .setProtectedHeader({ alg: "RS256", kid: "e2e-key-1", typ: "JWT" })
        .sign(options.foreignKey ? foreign.privateKey : privateKey);
    },
    async revokeRefreshToken(token) {
      const res = await fetch(`${issuer}/token/revocation`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token, token_type_hint: "refresh_token", client_id: CLIENT_ID }),
      });
      return res.status;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };

  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", issuer);
    if (url.pathname === "/.well-known/openid-configuration" && idp.discoveryIssuer) {
      const end = res.end.bind(res);
      (res as unknown as { end: (b?: unknown) => void }).end = (body?: unknown) => {
        if (typeof body === "string" || Buffer.isBuffer(body)) {
          const doc = JSON.parse(String(body));
          doc.issuer = idp.discoveryIssuer;
          const text = JSON.stringify(doc);
          if (!res.headersSent) res.setHeader("content-length", Buffer.byteLength(text));
          return end(text);
        }
        return end(body as never);
      };
    }
    // oidc-provider follows OIDC Core §11 strictly and drops offline_access unless prompt=consent is
    // sent; Okta, Entra ID, Auth0 and Cognito issue refresh tokens without it, and so does this test IdP.
    if (
      req.method === "GET" &&
      url.pathname === "/auth" &&
      (url.searchParams.get("scope") ?? "").split(" ").includes("offline_access") &&
      !url.searchParams.has("prompt")
    ) {
      url.searchParams.set("prompt", "consent");
      req.url = `${url.pathname}${url.search}`;
    }
    if (req.method === "POST" && url.pathname === "/token" && idp.forgeToken) {
      const forge = idp.forgeToken;
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const grantType = new URLSearchParams(Buffer.concat(chunks).toString()).get("grant_type") ?? "?";
        grants[grantType] = (grants[grantType] ?? 0) + 1;
        const forged = forge(grantType);
        const isStatus = "status" in forged && typeof forged.status === "number";
        res
          .writeHead(isStatus ? (forged.status as number) : 200, { "content-type": "application/json", "cache-control": "no-store" })
          .end(JSON.stringify(isStatus ? (forged as { body: unknown }).body : forged));
      });
      return;
    }
    callback(req, res);
  });
  return idp;
}
