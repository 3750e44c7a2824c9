/**
 * Who a usage record or a request belongs to. The key everywhere is the user's email, lower-cased.
 * Role session names follow the credential helper's rule (the email, characters outside
 * `[\w+=,.@-]` replaced by `-`, at most 64), so the server-side deny can name the session.
 */

const SESSION_DISALLOWED = /[^\w+=,.@-]/g;

export function normaliseEmail(v: string): string {
  return v.trim().toLowerCase();
}

export function looksLikeEmail(v: string): boolean {
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v);
}

/** The STS `RoleSessionName` the helper derives from an email. */
export function sessionNameOf(email: string): string {
  return email.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(SESSION_DISALLOWED, "-").slice(0, 64);
}

/** `arn:aws:sts::123:assumed-role/<role>/<session>` → role and session; anything else → undefined. */
export function parseAssumedRoleArn(arn: string): { role: string; session: string } | undefined {
  const m = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/.exec(arn);
  return m ? { role: m[1]!, session: m[2]! } : undefined;
}
