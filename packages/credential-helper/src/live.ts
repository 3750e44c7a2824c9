/**
 * What `doctor` reads from the sign-in token about the AWS side of the identity.
 */

/**
 * The `team` session tag the IdP passes to STS in the `https://aws.amazon.com/tags` claim
 * (`{"principal_tags": {"team": ["platform"]}}`; AWS also accepts a plain string), or undefined. The
 * token is the cached one, already verified at sign-in; this only decodes its payload.
 */
export function sessionTeamTag(idToken: string): string | undefined {
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const tags = payload["https://aws.amazon.com/tags"] as { principal_tags?: Record<string, unknown> } | undefined;
  const team = tags?.principal_tags?.team;
  if (typeof team === "string" && team) return team;
  if (Array.isArray(team) && typeof team[0] === "string" && team[0]) return team[0];
  return undefined;
}
