/**
 * The server-side block: customer managed policies attached to the federated user role, each with
 * one Deny on model invocation for the role sessions of blocked users, keyed on the email session tag
 * (`aws:PrincipalTag/<key>`, the stacks' only choice) or, still supported, on `aws:userid`
 * (`<role unique id>:<session name>`). The session name is chosen by the caller of
 * AssumeRoleWithWebIdentity, so a deny keyed on it can be escaped by renaming the session; session tags
 * come from the signed token (or the Cognito pool's mapping). A Deny wins over every Allow, so a blocked
 * user's already issued credentials stop working within IAM's propagation time, whatever the client
 * does. The policies are rewritten (a new default version) whenever the blocked set changes and
 * emptied when the period rolls over or an admin unblocks.
 *
 * Size: a managed policy holds at most 6 144 characters (whitespace not counted); the documents are
 * rendered compactly and split across the policies the stack created. Users that do not fit are
 * reported (`overflow`) so an alarm fires; they are still refused at credential issuance by the
 * check API.
 */
import {
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListPolicyVersionsCommand,
  type IAMClient,
} from "@aws-sdk/client-iam";
import {
  BLOCK_PLACEHOLDER_PATTERN,
  BLOCK_PLACEHOLDER_TAG,
  BLOCKED_MODEL_ACTIONS,
  blockPolicyDocument,
  SESSION_NAME_KEY,
  useridPattern,
  type BlockKey,
  type BlockPolicyDocument,
} from "@ccb/contracts";
import type { Logger } from "./log.js";

export const MANAGED_POLICY_MAX_CHARS = 6144;
/** The document, its actions and placeholders are the contract with the QuotaService component (@ccb/contracts). */
export const DENIED_ACTIONS = BLOCKED_MODEL_ACTIONS;
export const PLACEHOLDER_PATTERN = BLOCK_PLACEHOLDER_PATTERN;
export const PLACEHOLDER_TAG = BLOCK_PLACEHOLDER_TAG;
export type { BlockKey };
export { SESSION_NAME_KEY, useridPattern };
export type PolicyDoc = BlockPolicyDocument;

/** The values a document denies (placeholders excluded). */
export function deniedValues(doc: PolicyDoc): string[] {
  return Object.values(doc.Statement[0]!.Condition)
    .flatMap((kv) => Object.values(kv).flat())
    .filter((v) => v !== PLACEHOLDER_PATTERN && v !== PLACEHOLDER_TAG);
}

export const blockDocument = blockPolicyDocument;

export const render = (doc: PolicyDoc): string => JSON.stringify(doc);

/**
 * Packs session names (sorted, so the same set always gives the same documents) into at most
 * `slots` documents of at most `maxChars` each. Unused slots get the placeholder document.
 */
export function packBlockPolicies(
  sessions: readonly string[],
  slots: number,
  maxChars = MANAGED_POLICY_MAX_CHARS,
  key: BlockKey = SESSION_NAME_KEY,
): { documents: PolicyDoc[]; overflow: string[] } {
  const sorted = [...new Set(sessions)].sort();
  const documents: PolicyDoc[] = [];
  const overflow: string[] = [];
  let current: string[] = [];
  for (const s of sorted) {
    if (documents.length >= slots || render(blockDocument([s], key)).length > maxChars) {
      overflow.push(s);
      continue;
    }
    if (render(blockDocument([...current, s], key)).length <= maxChars) {
      current.push(s);
      continue;
    }
    documents.push(blockDocument(current, key));
    current = [];
    if (documents.length >= slots) overflow.push(s);
    else current.push(s);
  }
  if (current.length) documents.push(blockDocument(current, key));
  while (documents.length < slots) documents.push(blockDocument([], key));
  return { documents, overflow };
}

/** Canonical form for comparing a stored document with a wanted one. */
export function canonical(json: string): string {
  const sortDeep = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortDeep)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]),
          )
        : v;
  const doc = JSON.parse(json) as { Statement?: unknown };
  // IAM returns single-element lists as they were written; normalise Statement to a list.
  if (doc.Statement && !Array.isArray(doc.Statement)) doc.Statement = [doc.Statement];
  return JSON.stringify(sortDeep(doc));
}

/**
 * Makes each policy's default version equal its wanted document. Creates a version only when the
 * document differs; deletes the oldest non-default version first when the policy has five (IAM's cap).
 * Returns the ARNs that changed.
 */
export async function applyBlockPolicies(
  iam: IAMClient,
  policyArns: readonly string[],
  documents: readonly PolicyDoc[],
  log: Logger,
): Promise<string[]> {
  if (documents.length !== policyArns.length) throw new Error(`have ${policyArns.length} block policies but ${documents.length} documents`);
  const changed: string[] = [];
  for (let i = 0; i < policyArns.length; i++) {
    const arn = policyArns[i]!;
    const wanted = render(documents[i]!);
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    const defaultId = policy.Policy?.DefaultVersionId;
    if (defaultId) {
      const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: defaultId }));
      const current = decodeURIComponent(v.PolicyVersion?.Document ?? "");
      if (current && canonical(current) === canonical(wanted)) continue;
    }
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions ?? [];
    if (versions.length >= 5) {
      const oldest = versions
        .filter((v) => !v.IsDefaultVersion)
        .sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0))[0];
      if (oldest?.VersionId) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: oldest.VersionId }));
    }
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: wanted, SetAsDefault: true }));
    log.info("block policy updated", { policyArn: arn, entries: deniedValues(documents[i]!).length });
    changed.push(arn);
  }
  return changed;
}
