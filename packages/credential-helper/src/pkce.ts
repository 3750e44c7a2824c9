/**
 * PKCE (RFC 7636, S256 only), `state` and `nonce`. Node's crypto only: this runs on every sign-in and
 * must not pull in a protocol library to make 32 random bytes.
 */
import { createHash, randomBytes } from "node:crypto";

const b64url = (buf: Buffer): string => buf.toString("base64url");

/** 43 characters of the unreserved set, from 32 random bytes (RFC 7636 §4.1). */
export function randomCodeVerifier(random: (n: number) => Buffer = randomBytes): string {
  return b64url(random(32));
}

/** `BASE64URL(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2). */
export function codeChallengeS256(verifier: string): string {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw new TypeError("code_verifier must be 43-128 unreserved characters");
  return b64url(createHash("sha256").update(verifier, "ascii").digest());
}

export function randomState(random: (n: number) => Buffer = randomBytes): string {
  return b64url(random(16));
}

export const randomNonce = randomState;
