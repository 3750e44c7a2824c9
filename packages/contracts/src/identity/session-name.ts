/**
 * STS `RoleSessionName`: 2-64 characters of `[\w+=,.@-]`. The credential helper puts the email there
 * so CloudTrail, Bedrock invocation logs and CUR show `assumed-role/<role>/<email>` (cost per user),
 * and the quota service derives the same name from an email to name the session in a deny policy.
 * One derivation here, so the two sides cannot drift.
 */
const ALLOWED = /[^\w+=,.@-]/g;

export const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;

/** The characters of a session name an email maps to: accents dropped, anything else outside the set replaced by `-`, at most 64. */
export function sessionNameCharacters(email: string): string {
  return email
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(ALLOWED, "-")
    .slice(0, 64);
}

/** The session name the helper uses: from the email, else the subject; always 2-64 allowed characters. */
export function roleSessionName(email: string | undefined, subject: string): string {
  let name = sessionNameCharacters(email && email.length > 0 ? email : subject);
  if (name.length < 2) name = `${name}--`.slice(0, 2).padEnd(2, "-");
  if (name.replace(/-/g, "").length === 0) name = `user-${Buffer.from(subject).toString("hex").slice(0, 16)}`.slice(0, 64);
  return name;
}
