/**
 * The quota block policy: customer managed policies the QuotaService component creates with the
 * "nobody blocked" document and the aggregation function rewrites with the blocked users. Both sides
 * render the document here, so the first version the stack writes is exactly what the function would
 * write for an empty set (and the function recognises its own placeholders).
 */

export const BLOCK_POLICY_SID = "DenyQuotaBlockedUsers";
/** Converse and ConverseStream are authorised by these two actions. */
export const BLOCKED_MODEL_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"] as const;
/** `~` is not allowed in role session names, so this `aws:userid` pattern matches no session. */
export const BLOCK_PLACEHOLDER_PATTERN = "*:~no-blocked-users~";
/** Not an email and not a session name: the "nobody blocked" value for principal tags. */
export const BLOCK_PLACEHOLDER_TAG = "~no-blocked-users~";

/**
 * How a blocked user's sessions are recognised: `principal-tag`, the session carries the email as a tag;
 * `session-name`, `aws:userid` ends with the role session name the helper sets from the email.
 */
export type BlockKey = { readonly kind: "session-name" } | { readonly kind: "principal-tag"; readonly tag: string };
export const SESSION_NAME_KEY: BlockKey = { kind: "session-name" };

export interface BlockPolicyDocument {
  Version: "2012-10-17";
  Statement: Array<{
    Sid: string;
    Effect: "Deny";
    Action: string[];
    Resource: string;
    Condition: Record<string, Record<string, string[]>>;
  }>;
}

/** The `aws:userid` pattern of a role session name. */
export const useridPattern = (session: string): string => `*:${session}`;

/** The deny for these users (session names or tag values); the placeholder when there are none. */
export function blockPolicyDocument(entries: readonly string[], key: BlockKey = SESSION_NAME_KEY): BlockPolicyDocument {
  const condition: Record<string, Record<string, string[]>> = key.kind === "session-name"
    ? { StringLike: { "aws:userid": entries.length ? entries.map(useridPattern) : [BLOCK_PLACEHOLDER_PATTERN] } }
    : { StringEqualsIgnoreCase: { [`aws:PrincipalTag/${key.tag}`]: entries.length ? [...entries] : [BLOCK_PLACEHOLDER_TAG] } };
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: BLOCK_POLICY_SID, Effect: "Deny", Action: [...BLOCKED_MODEL_ACTIONS], Resource: "*", Condition: condition }],
  };
}

/**
 * Users' profiles (the groups the check API last saw) are the usage table's partitions starting with
 * this prefix (`PROFILE#b07`): the check API may write only there (an IAM LeadingKeys condition).
 */
export const QUOTA_PROFILE_PARTITION_PREFIX = "PROFILE#";
