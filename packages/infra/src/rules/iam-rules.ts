import { asList, policyOf, type RecordedResource } from "../testing/recorder";
import type { SecurityRule } from "./types";

export const ROLE = "aws:iam/role:Role";
export const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const MANAGED_POLICY = "aws:iam/policy:Policy";
export const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

/** Every input of a resource that holds an IAM policy document. */
const POLICY_INPUTS: Record<string, string[]> = {
  [ROLE]: ["assumeRolePolicy"],
  [ROLE_POLICY]: ["policy"],
  [MANAGED_POLICY]: ["policy"],
  "aws:s3/bucketPolicy:BucketPolicy": ["policy"],
  "aws:sns/topicPolicy:TopicPolicy": ["policy"],
  "aws:kms/key:Key": ["policy"],
  "aws:codeartifact/domainPermissions:DomainPermissions": ["policyDocument"],
  "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": ["policyDocument"],
  "aws:sqs/queuePolicy:QueuePolicy": ["policy"],
  "aws:lambda/permission:Permission": [],
  "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": ["inlinePolicy"],
};

/** Statements of every policy document the resource carries. */
export function statementsOf(r: RecordedResource): any[] {
  return (POLICY_INPUTS[r.type] ?? []).flatMap((key) => policyOf(r.inputs[key])?.Statement ?? []);
}

/** Any `*` or `?` in an allowed action widens it beyond what was reviewed (`s3:Get*` included). */
const isWildcardAction = (a: string) => /[*?]/.test(a);

export const noWildcardActions: SecurityRule = {
  id: "iam-no-wildcard-actions",
  description: "Allow statements name their actions: no `*`, no `service:*`, no NotAction",
  types: Object.keys(POLICY_INPUTS),
  check(r) {
    const out: string[] = [];
    for (const s of statementsOf(r)) {
      if (s.Effect !== "Allow") continue;
      if (s.NotAction !== undefined) out.push(`statement ${s.Sid ?? "(no Sid)"} allows NotAction ${JSON.stringify(s.NotAction)}`);
      for (const a of asList<string>(s.Action)) if (isWildcardAction(a)) out.push(`statement ${s.Sid ?? "(no Sid)"} allows wildcard action ${a}`);
    }
    return out;
  },
};

const BROAD_MANAGED = /(FullAccess|AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;
export const noBroadManagedPolicies: SecurityRule = {
  id: "iam-no-broad-managed-policies",
  description: "No AWS managed *FullAccess, AdministratorAccess or PowerUserAccess policies",
  types: [ATTACHMENT, ROLE],
  check(r) {
    const arns = r.type === ATTACHMENT ? [r.inputs.policyArn] : asList<string>(r.inputs.managedPolicyArns);
    return arns.filter((a) => typeof a === "string" && BROAD_MANAGED.test(a)).map((a) => `attaches broad managed policy ${a}`);
  },
};

function conditionEntries(s: any): Array<{ op: string; key: string; values: string[] }> {
  const out: Array<{ op: string; key: string; values: string[] }> = [];
  for (const [op, kv] of Object.entries<any>(s.Condition ?? {})) {
    for (const [key, v] of Object.entries<any>(kv ?? {})) out.push({ op, key, values: asList<string>(v).map(String) });
  }
  return out;
}

const onlyWildcards = (values: string[]) => values.length === 0 || values.every((v) => /^[*?]*$/.test(v));

/** For Cognito Identity Pools the audience is the pool id and `amr` must say authenticated. */
export const federatedTrustPinned: SecurityRule = {
  id: "iam-federated-trust-pinned",
  description: "Every federated trust pins the audience and restricts the subject or a group claim (never a bare wildcard)",
  types: [ROLE],
  check(r) {
    const out: string[] = [];
    for (const s of policyOf(r.inputs.assumeRolePolicy)?.Statement ?? []) {
      if (s.Effect !== "Allow" || !s.Principal?.Federated) continue;
      const conds = conditionEntries(s);
      const aud = conds.filter((c) => c.key.endsWith(":aud") && /^StringEquals(IgnoreCase)?$|^ForAnyValue:StringEquals$/.test(c.op));
      if (aud.length === 0 || aud.some((c) => onlyWildcards(c.values) || c.values.some((v) => v.includes("*")))) {
        out.push(`federated trust for ${s.Principal.Federated} does not pin the audience with StringEquals on <issuer>:aud`);
      }
      // Claim conditions: <issuer>:sub, Cognito's amr, or a session tag the IdP must send
      // (aws:RequestTag/<key>). Other `aws:` keys do not restrict who signs in, nor does a `Null` check
      // that a tag is present (any signed-in user's token may carry it).
      const claims = conds.filter((c) => c.op !== "Null" && !c.key.endsWith(":aud") && (!c.key.startsWith("aws:") || c.key.startsWith("aws:RequestTag/")));
      const admitsGuests = claims.some((c) => c.key.endsWith(":amr") && c.values.includes("unauthenticated"));
      const restricting = claims.filter((c) => !onlyWildcards(c.values) && !(c.key.endsWith(":amr") && c.values.includes("unauthenticated")));
      if (restricting.length === 0) out.push(`federated trust for ${s.Principal.Federated} does not restrict the subject or a group claim`);
      if (admitsGuests) out.push("federated trust admits unauthenticated Cognito identities");
    }
    return out;
  },
};

export const crossAccountTrustConditioned: SecurityRule = {
  id: "iam-cross-account-trust-conditioned",
  description: "Trust of AWS principals in other accounts requires aws:PrincipalOrgID or sts:ExternalId",
  types: [ROLE],
  check(r) {
    const out: string[] = [];
    for (const s of policyOf(r.inputs.assumeRolePolicy)?.Statement ?? []) {
      if (s.Effect !== "Allow" || s.Principal === undefined) continue;
      const awsPrincipals = s.Principal === "*" ? ["*"] : asList<string>(s.Principal.AWS);
      const foreign = awsPrincipals.filter((p) => p === "*" || (r.account !== undefined && !p.includes(`::${r.account}:`) && p !== r.account));
      if (foreign.length === 0) continue;
      const keys = conditionEntries(s).filter((c) => !onlyWildcards(c.values)).map((c) => c.key.toLowerCase());
      if (!keys.includes("aws:principalorgid") && !keys.includes("sts:externalid")) {
        out.push(`trusts ${foreign.join(", ")} without aws:PrincipalOrgID or sts:ExternalId`);
      }
    }
    return out;
  },
};

export const serviceTrustConfusedDeputy: SecurityRule = {
  id: "iam-service-trust-source-conditions",
  description: "Roles that Bedrock or Firehose assume are bound to this account (aws:SourceAccount)",
  types: [ROLE],
  check(r) {
    const out: string[] = [];
    for (const s of policyOf(r.inputs.assumeRolePolicy)?.Statement ?? []) {
      const services = asList<string>(s.Principal?.Service);
      const needs = services.filter((svc) => /^(bedrock|firehose|delivery\.logs)\.amazonaws\.com$/.test(svc));
      if (needs.length === 0) continue;
      const keys = conditionEntries(s).map((c) => c.key.toLowerCase());
      if (!keys.includes("aws:sourceaccount") && !keys.includes("aws:sourcearn")) out.push(`trust for ${needs.join(", ")} lacks aws:SourceAccount / aws:SourceArn`);
    }
    return out;
  },
};

export const roleSessionBounded: SecurityRule = {
  id: "iam-role-session-bounded",
  description: "Role sessions last at most 12 hours",
  types: [ROLE],
  check(r) {
    const max = r.inputs.maxSessionDuration;
    return max !== undefined && Number(max) > 43200 ? [`maxSessionDuration ${max} exceeds 43200`] : [];
  },
};

export const IAM_RULES = [noWildcardActions, noBroadManagedPolicies, federatedTrustPinned, crossAccountTrustConditioned, serviceTrustConfusedDeputy, roleSessionBounded];
