import { isMarkedBoundary } from "../iam/boundary";
import { asList, parsePolicy, principalsOf, stringsOf, type StatementJson } from "../iam/parse";
import type { RecordedResource } from "../testing/recorder";
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
export function statementsOf(r: RecordedResource): StatementJson[] {
  return (POLICY_INPUTS[r.type] ?? []).flatMap((key) => parsePolicy(r.inputs[key])?.Statement ?? []);
}

/** Any `*` or `?` in an allowed action widens it beyond what was reviewed (`s3:Get*` included). */
const isWildcardAction = (a: string) => /[*?]/.test(a);

/** A managed policy tagged as a permissions boundary (`iam/boundary.ts`): a ceiling, never a grant. */
export const isBoundaryPolicy = (r: RecordedResource) => r.type === MANAGED_POLICY && isMarkedBoundary(r.inputs.tags);

/** A boundary's cap: the one unconditioned `Allow * on *` that its denies then carve down. */
export const isCapStatement = (s: StatementJson) =>
  s.Effect === "Allow" &&
  asList(s.Action).length === 1 &&
  asList(s.Action)[0] === "*" &&
  asList(s.Resource).length === 1 &&
  asList(s.Resource)[0] === "*" &&
  s.Condition === undefined &&
  s.NotAction === undefined &&
  s.NotResource === undefined;

export const noWildcardActions: SecurityRule = {
  id: "iam-no-wildcard-actions",
  description:
    "Allow statements name their actions: no `*`, no `service:*`, no NotAction (a permissions boundary's cap is checked by iam-boundary-is-a-cap instead)",
  types: Object.keys(POLICY_INPUTS),
  check(r) {
    const out: string[] = [];
    const boundary = isBoundaryPolicy(r);
    for (const s of statementsOf(r)) {
      if (s.Effect !== "Allow") continue;
      // A boundary grants nothing: its `Allow * on *` is the ceiling its denies cut down. Only that exact
      // statement, only in a policy marked as a boundary; iam-boundary-is-a-cap checks the denies and
      // that the policy is never attached as a grant. Any other wildcard in a boundary is still reported.
      if (boundary && isCapStatement(s)) continue;
      if (s.NotAction !== undefined) out.push(`statement ${s.Sid ?? "(no Sid)"} allows NotAction ${JSON.stringify(s.NotAction)}`);
      for (const a of stringsOf(s.Action))
        if (isWildcardAction(a)) out.push(`statement ${s.Sid ?? "(no Sid)"} allows wildcard action ${a}`);
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
    const arns = r.type === ATTACHMENT ? [r.inputs.policyArn] : asList(r.inputs.managedPolicyArns);
    return arns.filter((a) => typeof a === "string" && BROAD_MANAGED.test(a)).map((a) => `attaches broad managed policy ${a}`);
  },
};

function conditionEntries(s: StatementJson): Array<{ op: string; key: string; values: string[] }> {
  const out: Array<{ op: string; key: string; values: string[] }> = [];
  for (const [op, kv] of Object.entries(s.Condition ?? {})) {
    for (const [key, v] of Object.entries(kv)) out.push({ op, key, values: asList(v).map(String) });
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
    for (const s of parsePolicy(r.inputs.assumeRolePolicy)?.Statement ?? []) {
      const federated = typeof s.Principal === "object" ? s.Principal.Federated : undefined;
      if (s.Effect !== "Allow" || !federated) continue;
      const conds = conditionEntries(s);
      const aud = conds.filter((c) => c.key.endsWith(":aud") && /^StringEquals(IgnoreCase)?$|^ForAnyValue:StringEquals$/.test(c.op));
      if (aud.length === 0 || aud.some((c) => onlyWildcards(c.values) || c.values.some((v) => v.includes("*")))) {
        out.push(`federated trust for ${String(federated)} does not pin the audience with StringEquals on <issuer>:aud`);
      }
      // Claim conditions: <issuer>:sub, Cognito's amr, or a session tag the IdP must send
      // (aws:RequestTag/<key>). Other `aws:` keys do not restrict who signs in, nor does a `Null` check
      // that a tag is present (any signed-in user's token may carry it).
      const claims = conds.filter(
        (c) => c.op !== "Null" && !c.key.endsWith(":aud") && (!c.key.startsWith("aws:") || c.key.startsWith("aws:RequestTag/")),
      );
      const admitsGuests = claims.some((c) => c.key.endsWith(":amr") && c.values.includes("unauthenticated"));
      const restricting = claims.filter(
        (c) => !onlyWildcards(c.values) && !(c.key.endsWith(":amr") && c.values.includes("unauthenticated")),
      );
      if (restricting.length === 0) out.push(`federated trust for ${String(federated)} does not restrict the subject or a group claim`);
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
    for (const s of parsePolicy(r.inputs.assumeRolePolicy)?.Statement ?? []) {
      if (s.Effect !== "Allow" || s.Principal === undefined) continue;
      const awsPrincipals = principalsOf(s, "AWS");
      const foreign = awsPrincipals.filter(
        (p) => p === "*" || (r.account !== undefined && !p.includes(`::${r.account}:`) && p !== r.account),
      );
      if (foreign.length === 0) continue;
      const keys = conditionEntries(s)
        .filter((c) => !onlyWildcards(c.values))
        .map((c) => c.key.toLowerCase());
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
    for (const s of parsePolicy(r.inputs.assumeRolePolicy)?.Statement ?? []) {
      const services = typeof s.Principal === "object" ? stringsOf(s.Principal.Service) : [];
      const needs = services.filter((svc) => /^(bedrock|firehose|delivery\.logs)\.amazonaws\.com$/.test(svc));
      if (needs.length === 0) continue;
      const keys = conditionEntries(s).map((c) => c.key.toLowerCase());
      if (!keys.includes("aws:sourceaccount") && !keys.includes("aws:sourcearn"))
        out.push(`trust for ${needs.join(", ")} lacks aws:SourceAccount / aws:SourceArn`);
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

/** Whether `ref` (an ARN, or an id/URN during a policy-pack preview) names the managed policy `p`. */
function refersToPolicy(ref: unknown, p: RecordedResource): boolean {
  if (typeof ref !== "string") return false;
  if (ref === p.id) return true;
  const m = /^arn:[^:]+:iam::(\d{12}):policy\/(?:.*\/)?([^/]+)$/.exec(ref);
  return m !== null && m[2] === p.inputs.name && (p.account === undefined || m[1] === p.account);
}

export const roleHasBoundary: SecurityRule = {
  id: "iam-role-has-boundary",
  description:
    "Every role carries a permissions boundary: the stage's workload boundary, the developer boundary, or one the organisation provides",
  types: [ROLE],
  check(r, stack) {
    const ref = r.inputs.permissionsBoundary;
    if (typeof ref !== "string" || ref === "") {
      return [
        "role has no permissions boundary: pass the account's workload boundary as `permissionsBoundaryArn` (the CI roles may create and change only roles that carry one)",
      ];
    }
    // A boundary of this stack must be one: a grant policy set as a boundary would be a ceiling nobody reviewed as one.
    const policy = stack.find((p) => p.type === MANAGED_POLICY && refersToPolicy(ref, p));
    return policy && !isBoundaryPolicy(policy)
      ? [`permissions boundary ${String(policy.inputs.name ?? policy.name)} is not a policy marked as a permissions boundary`]
      : [];
  },
};

/** Where a managed policy can be attached as a grant, and the inputs that name it. */
const ATTACHING: Record<string, string[]> = {
  [ATTACHMENT]: ["policyArn"],
  [ROLE]: ["managedPolicyArns"],
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": ["policyArns"],
  "aws:iam/policyAttachment:PolicyAttachment": ["policyArn"],
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": ["policyArn"],
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": ["policyArn"],
};

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".")}$`,
  );
const covers = (patterns: readonly string[], value: string) => patterns.some((p) => glob(p).test(value));

/**
 * What a boundary that allows `*` must deny, so that a role under it, whatever it is given, can do
 * none of what the CI guardrails deny. Each entry: what is protected, the actions, and which deny
 * statements count (by resource, by condition).
 */
interface RequiredDeny {
  readonly what: string;
  readonly actions: readonly string[];
  readonly matches: (s: StatementJson, self: { name: string; account?: string }) => boolean;
}
/** Whether a deny's resources cover the managed policy `self` (in whatever partition the pattern names). */
const coversPolicy = (s: StatementJson, self: { name: string; account?: string }) =>
  stringsOf(s.Resource).some((x) => {
    const m = /^(arn:[^:]+:iam::)([^:]*)(:policy\/.*)$/.exec(x);
    return m !== null && glob(x).test(`${m[1]}${self.account ?? m[2]}:policy/${self.name}`);
  });
const denies = (s: StatementJson, action: string) => s.Effect === "Deny" && covers(stringsOf(s.Action), action);
const onAll = (s: StatementJson) => asList(s.Resource).includes("*") && s.Condition === undefined;
const REQUIRED_BOUNDARY_DENIES: readonly RequiredDeny[] = [
  {
    what: "IAM users, access keys and login profiles",
    actions: ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:AttachUserPolicy", "iam:PutUserPolicy"],
    matches: (s) => onAll(s),
  },
  {
    what: "audit changes (CloudTrail, GuardDuty, Config, Organizations)",
    actions: [
      "cloudtrail:StopLogging",
      "cloudtrail:DeleteTrail",
      "cloudtrail:UpdateTrail",
      "guardduty:DeleteDetector",
      "config:StopConfigurationRecorder",
      "organizations:LeaveOrganization",
    ],
    matches: (s) => onAll(s),
  },
  { what: "removing a role's boundary", actions: ["iam:DeleteRolePermissionsBoundary"], matches: (s) => onAll(s) },
  {
    what: "creating or changing a role without one of the stage's boundaries (condition on iam:PermissionsBoundary)",
    actions: [
      "iam:CreateRole",
      "iam:PutRolePolicy",
      "iam:AttachRolePolicy",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:UpdateAssumeRolePolicy",
      "iam:PutRolePermissionsBoundary",
    ],
    matches: (s) => Object.keys(s.Condition?.StringNotEquals ?? {}).includes("iam:PermissionsBoundary"),
  },
  {
    what: "changing, versioning, deleting or re-creating this boundary",
    actions: ["iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy"],
    matches: (s, self) => s.Condition === undefined && coversPolicy(s, self),
  },
  {
    what: "changing the CI roles (<prefix>-ci-*)",
    actions: [
      "iam:UpdateAssumeRolePolicy",
      "iam:PutRolePolicy",
      "iam:AttachRolePolicy",
      "iam:DeleteRole",
      "iam:PutRolePermissionsBoundary",
    ],
    matches: (s) => s.Condition === undefined && stringsOf(s.Resource).some((x) => /:role\/.+-ci-\*$/.test(x)),
  },
  {
    what: "changing the CI policies (<prefix>-ci-*)",
    actions: ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"],
    matches: (s) => s.Condition === undefined && stringsOf(s.Resource).some((x) => /:policy\/.+-ci-\*$/.test(x)),
  },
  {
    what: "changing GitHub's OIDC provider",
    actions: ["iam:DeleteOpenIDConnectProvider", "iam:AddClientIDToOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint"],
    matches: (s) =>
      s.Condition === undefined && stringsOf(s.Resource).some((x) => x.endsWith(":oidc-provider/token.actions.githubusercontent.com")),
  },
];

export const boundaryIsACap: SecurityRule = {
  id: "iam-boundary-is-a-cap",
  description:
    "A policy marked as a permissions boundary is never attached as a grant, and if it allows `*` it denies what the CI guardrails deny",
  types: [MANAGED_POLICY],
  check(r, stack) {
    if (!isBoundaryPolicy(r)) return [];
    const out: string[] = [];
    for (const a of stack) {
      for (const key of ATTACHING[a.type] ?? []) {
        if (asList(a.inputs[key]).some((ref) => refersToPolicy(ref, r)))
          out.push(
            `boundary is attached as a permission policy by ${a.type.split(":").pop()} ${a.name} (a boundary only caps; attach grants instead)`,
          );
      }
    }
    const statements = statementsOf(r);
    if (statements.length === 0) return out; // not known yet (a preview of a new policy): pulumi up checks it
    const allows = statements.filter((s) => s.Effect === "Allow");
    const capped = allows.some((s) => stringsOf(s.Action).some(isWildcardAction) || s.NotAction !== undefined);
    if (!capped) return out; // an allow-list boundary (the developer boundary): its ceiling is what it names
    if (allows.length !== 1 || !isCapStatement(allows[0]!))
      out.push("a boundary that allows `*` has exactly one Allow: unconditioned `*` on `*`, cut down by its denies");
    const self = { name: String(r.inputs.name ?? r.name), account: r.account };
    for (const req of REQUIRED_BOUNDARY_DENIES) {
      const missing = req.actions.filter((action) => !statements.some((s) => denies(s, action) && req.matches(s, self)));
      if (missing.length) out.push(`boundary allows \`*\` but does not deny ${req.what}: ${missing.join(", ")}`);
    }
    const regions = statements.some(
      (s) =>
        s.Effect === "Deny" && s.NotAction !== undefined && Object.keys(s.Condition?.StringNotEquals ?? {}).includes("aws:RequestedRegion"),
    );
    if (!regions)
      out.push(
        "boundary allows `*` but does not deny actions outside the stage's Regions (Deny, NotAction global services, aws:RequestedRegion)",
      );
    return out;
  },
};

export const IAM_RULES = [
  noWildcardActions,
  noBroadManagedPolicies,
  federatedTrustPinned,
  crossAccountTrustConditioned,
  serviceTrustConfusedDeputy,
  roleSessionBounded,
  roleHasBoundary,
  boundaryIsACap,
];
