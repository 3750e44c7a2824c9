/**
 * Who a usage record or a request belongs to. The key everywhere is the user's email, lower-cased.
 * Role session names follow the credential helper's rule (one derivation in @ccb/contracts), so the
 * server-side deny can name the session.
 */
import { sessionNameCharacters } from "@ccb/contracts";

export function normaliseEmail(v: string): string {
  return v.trim().toLowerCase();
}

export function looksLikeEmail(v: string): boolean {
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v);
}

/** The STS `RoleSessionName` the helper derives from an email. */
export function sessionNameOf(email: string): string {
  return sessionNameCharacters(email);
}

/** `arn:aws:sts::123:assumed-role/<role>/<session>` → role and session; anything else → undefined. */
export function parseAssumedRoleArn(arn: string): { role: string; session: string } | undefined {
  const m = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/.exec(arn);
  return m ? { role: m[1]!, session: m[2]! } : undefined;
}
