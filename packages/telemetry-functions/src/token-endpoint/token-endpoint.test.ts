import { generateKeyPairSync, sign as nodeSign, type KeyObject } from "node:crypto";
import * as http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { derToJose, type Signer } from "./jwt.js";
import { handleTokenRequest, type TokenDeps, type UserDirectory } from "./handler.js";
import { userAttributes } from "./aws.js";

/** Node's crypto behind the KMS interface: DER ECDSA signatures and a DER SPKI public key, as KMS returns them. */
function nodeSigner(): Signer & { privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    privateKey,
    sign: async (m) => nodeSign("sha256", m, { key: privateKey, dsaEncoding: "der" }),
    publicKeySpki: async () => publicKey.export({ format: "der", type: "spki" }),
  };
}

const ACCOUNT = "222222222222";
const IDC_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_ClaudeCode_0123456789abcdef/Alice@Example.com`;
const directory: UserDirectory = {
  attributesOf: async (name) =>
    name === "Alice@Example.com" ? { email: "alice@example.com", team: "platform", department: "engineering" } : undefined,
};

let server: http.Server;
let issuer: string;
let deps: TokenDeps;
let clock = Date.now();
const logs: string[] = [];

const call = (path: string, userArn?: string) =>
  handleTokenRequest(
    { rawPath: path, requestContext: { http: { method: "GET", path }, ...(userArn ? { authorizer: { iam: { userArn } } } : {}) } },
    deps,
  );

beforeAll(async () => {
  // The API itself publishes the JWKS: serve the handler's public routes over HTTP so jose fetches them as the collector would.
  server = http.createServer(async (req, res) => {
    const out = await call(new URL(req.url ?? "/", "http://x").pathname);
    res.writeHead(out.statusCode, out.headers).end(out.body);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  deps = {
    signer: nodeSigner(),
    directory,
    config: {
      issuer,
      audience: "claude-code-telemetry",
      ttlSeconds: 7200,
      identityCenterRolePrefix: "AWSReservedSSO_ClaudeCode_",
      workloadRoleNames: ["ccb-prod-workload-invoke"],
      accountId: ACCOUNT,
    },
    now: () => clock,
    log: (level, message) => void logs.push(`${level}: ${message}`),
  };
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("telemetry token endpoint", () => {
  it("issues an ES256 JWT for an IdC session that verifies against the published JWKS, with identity-store attributes", async () => {
    const res = await call("/token", IDC_ARN);
    expect(res.statusCode).toBe(200);
    const { token, expiresAt, email } = JSON.parse(res.body);
    expect(email).toBe("alice@example.com");
    const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience: "claude-code-telemetry", algorithms: ["ES256"] });
    expect(protectedHeader).toMatchObject({ alg: "ES256", typ: "JWT" });
    expect(payload).toMatchObject({
      sub: "alice@example.com",
      email: "alice@example.com",
      team: "platform",
      department: "engineering",
      caller_type: "identity-center",
    });
    // At most an hour, whatever the configuration asks.
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(expiresAt).toBe(payload.exp);
  });

  it("publishes a discovery document naming this issuer and its JWKS", async () => {
    const doc = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
    expect(doc).toMatchObject({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ["ES256"] });
    const jwks = (await (await fetch(doc.jwks_uri)).json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it("a token signed by another key does not verify against the JWKS", async () => {
    const good = JSON.parse((await call("/token", IDC_ARN)).body).token as string;
    const other = nodeSigner();
    const [h, p] = good.split(".");
    const forged = `${h}.${p}.${Buffer.from(derToJose(await other.sign(Buffer.from(`${h}.${p}`)))).toString("base64url")}`;
    expect(decodeProtectedHeader(forged).kid).toBe(decodeProtectedHeader(good).kid);
    await expect(
      jwtVerify(forged, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), { issuer, audience: "claude-code-telemetry" }),
    ).rejects.toThrow(/signature/);
  });

  it("keys IdC users on the user name IdC set when the identity store has no email", async () => {
    const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_ClaudeCode_0123456789abcdef/bob@example.com`;
    const { token } = JSON.parse((await call("/token", arn)).body);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), {
      issuer,
      audience: "claude-code-telemetry",
    });
    expect(payload).toMatchObject({ sub: "bob@example.com", email: "bob@example.com" });
    expect(payload.team).toBeUndefined();
  });

  it("gives an allowed workload role a token keyed on the role, not on the session name it chose", async () => {
    const { token } = JSON.parse(
      (await call("/token", `arn:aws:sts::${ACCOUNT}:assumed-role/ccb-prod-workload-invoke/anything-the-caller-picked`)).body,
    );
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)), {
      issuer,
      audience: "claude-code-telemetry",
    });
    expect(payload).toMatchObject({ sub: `arn:aws:iam::${ACCOUNT}:role/ccb-prod-workload-invoke`, caller_type: "workload" });
    expect(payload.email).toBeUndefined();
  });

  it.each([
    ["another role", `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice@example.com`, 403],
    ["another permission set", `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com`, 403],
    ["another account", `arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_ClaudeCode_0123456789abcdef/alice@example.com`, 403],
    ["an IAM user", `arn:aws:iam::${ACCOUNT}:user/alice`, 403],
    ["an IdC user without an email", `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_ClaudeCode_0123456789abcdef/jdoe`, 403],
    ["an unsigned request", undefined, 401],
  ])("refuses %s", async (_label, arn, status) => {
    const res = await call("/token", arn);
    expect(res.statusCode).toBe(status);
    expect(JSON.parse(res.body).token).toBeUndefined();
  });

  it("answers 503 (and logs) when the key cannot sign", async () => {
    const broken: TokenDeps = {
      ...deps,
      signer: { sign: async () => Promise.reject(new Error("AccessDeniedException")), publicKeySpki: deps.signer.publicKeySpki },
    };
    const res = await handleTokenRequest({ rawPath: "/token", requestContext: { authorizer: { iam: { userArn: IDC_ARN } } } }, broken);
    expect(res.statusCode).toBe(503);
    expect(logs.at(-1)).toBe("error: token endpoint failed");
    clock += 1;
  });

  it("reads email, division (team), department and cost center from DescribeUser", () => {
    expect(
      userAttributes({
        Emails: [{ Value: "x@example.com" }, { Value: "alice@example.com", Primary: true }],
        Extensions: { "aws:identitystore:enterprise": { division: "platform", department: "eng", costCenter: "CC-1" } },
      }),
    ).toEqual({ email: "alice@example.com", team: "platform", department: "eng", costCenter: "CC-1" });
    expect(userAttributes({})).toEqual({});
  });
});
