/**
 * STS `RoleSessionName`: 2-64 characters of `[\w+=,.@-]`. The email goes there so CloudTrail, Bedrock
 * invocation logs and CUR show `assumed-role/<role>/<email>` (cost per user).
 */
const ALLOWED = /[^\w+=,.@-]/g;

export const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;

export function roleSessionName(email: string | undefined, subject: string): string {
  const base = (email && email.length > 0 ? email : subject).normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  let name = base.replace(ALLOWED, "-").slice(0, 64);
  if (name.length < 2) name = `${name}--`.slice(0, 2).padEnd(2, "-");
  if (name.replace(/-/g, "").length === 0) name = `user-${Buffer.from(subject).toString("hex").slice(0, 16)}`.slice(0, 64);
  return name;
}
