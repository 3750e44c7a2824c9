/**
 * Short-lived collector tokens for IAM callers: an ES256 JWT whose signature comes from a `Signer`
 * (the stage's asymmetric KMS key in Lambda, Node's crypto in tests: the same interface), and the JWKS
 * that publishes the public half. The private key never leaves KMS; this module only assembles the JWS.
 */
import { createHash, createPublicKey } from "node:crypto";

/** Signs with an ECC_NIST_P256 key: `sign` gets the message and returns the DER ECDSA signature (what KMS `Sign` returns). */
export interface Signer {
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** The public key as DER SubjectPublicKeyInfo (what KMS `GetPublicKey` returns). */
  publicKeySpki(): Promise<Uint8Array>;
}

export const MAX_TOKEN_SECONDS = 3600;

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString("base64url");

/** The key id: a stable function of the public key, so a rotated key gets a new `kid`. */
export function keyIdOf(spki: Uint8Array): string {
  return createHash("sha256").update(spki).digest("base64url").slice(0, 22);
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` → JOSE `r || s`, 32 bytes each (RFC 7518 §3.4). */
export function derToJose(der: Uint8Array): Uint8Array {
  const b = Buffer.from(der);
  let i = 0;
  if (b[i++] !== 0x30) throw new Error("ECDSA signature is not a DER sequence");
  let len = b[i++]!;
  if (len & 0x80) i += len & 0x7f;
  const int = (): Buffer => {
    if (b[i++] !== 0x02) throw new Error("ECDSA signature: expected an INTEGER");
    len = b[i++]!;
    let v = b.subarray(i, i + len);
    i += len;
    while (v.length > 32 && v[0] === 0) v = v.subarray(1);
    if (v.length > 32) throw new Error("ECDSA signature: integer longer than 32 bytes");
    return Buffer.concat([Buffer.alloc(32 - v.length), v]);
  };
  return Buffer.concat([int(), int()]);
}

export interface TokenClaims {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  readonly email?: string;
  /** How the caller authenticated: `identity-center` or `workload`. */
  readonly caller_type: "identity-center" | "workload";
  /** Attribute claims (team, department, cost center) under the names the collector reads. */
  readonly [attribute: string]: string | undefined;
}

/** Signs `claims` for `ttlSeconds` (at most an hour) from `nowMs`. */
export async function issueToken(
  signer: Signer,
  claims: TokenClaims,
  nowMs: number,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: number }> {
  const ttl = Math.min(Math.max(60, Math.floor(ttlSeconds)), MAX_TOKEN_SECONDS);
  const iat = Math.floor(nowMs / 1000);
  const kid = keyIdOf(await signer.publicKeySpki());
  const header = b64url(JSON.stringify({ alg: "ES256", typ: "JWT", kid }));
  const payload = b64url(JSON.stringify({ ...claims, iat, nbf: iat - 5, exp: iat + ttl }));
  const input = `${header}.${payload}`;
  const sig = derToJose(await signer.sign(Buffer.from(input, "ascii")));
  return { token: `${input}.${b64url(sig)}`, expiresAt: iat + ttl };
}

/** The JWKS document for the signer's public key. */
export async function jwksOf(signer: Signer): Promise<{ keys: Array<Record<string, string>> }> {
  const spki = await signer.publicKeySpki();
  const jwk = createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" }).export({ format: "jwk" }) as Record<string, string>;
  if (jwk.kty !== "EC" || jwk.crv !== "P-256")
    throw new Error(`the signing key is ${jwk.kty}/${jwk.crv}, expected EC P-256 (KMS key spec ECC_NIST_P256)`);
  return { keys: [{ kty: jwk.kty, crv: jwk.crv, x: jwk.x!, y: jwk.y!, kid: keyIdOf(spki), alg: "ES256", use: "sig" }] };
}

/** The discovery document the collector's oidc authenticator and the ALB read (issuer + jwks_uri). */
export function openIdConfiguration(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    id_token_signing_alg_values_supported: ["ES256"],
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    claims_supported: ["sub", "email", "team", "department", "cost_center", "caller_type"],
  };
}
