import * as pulumi from "@pulumi/pulumi";
import { type Conditions, mergeConditions, type Statement } from "./policy";
import { ONLY_WILDCARDS, ORG_ID } from "../naming/patterns";

/**
 * Trust statements whose principals carry their own conditions, so a federated or cross-account
 * trust cannot be written without the conditions that make it safe.
 */

export interface OidcTrustOptions {
  /** ARN of the IAM OIDC provider. */
  readonly providerArn: pulumi.Input<string>;
  /** Issuer host and path as IAM keys conditions on it (`example.okta.com/oauth2/default`). */
  readonly issuerKey: string;
  /** Allowed audiences (client ids, or a Cognito identity pool id). At least one. */
  readonly audiences: readonly pulumi.Input<string>[];
  /**
   * Allowed subjects. Exact values use `StringEquals`, values with `*` or `?` use `StringLike`.
   * A bare `*` is rejected: name the subjects, or restrict by `claims` instead.
   */
  readonly subjects?: readonly string[];
  /** Further claim restrictions, e.g. `{ "amr": ["authenticated"] }` or a group claim mapped as a session tag. */
  readonly claims?: Readonly<Record<string, readonly string[]>>;
  /**
   * Session tags the token must carry, with any value: `Null: { "aws:RequestTag/<key>": "false" }`.
   * They do not count as a restriction of who signs in (name `subjects` or `claims` for that).
   */
  readonly presentTags?: readonly string[];
  /** Allow session tags from the token (`sts:TagSession`): needed for attribute-based attribution. */
  readonly allowSessionTags?: boolean;
}

/** Validates OIDC trust options; returns problems, empty when fine. */
export function validateOidcTrust(o: OidcTrustOptions): string[] {
  const problems: string[] = [];
  if (o.audiences.length === 0 || o.audiences.some((a) => typeof a === "string" && (a.trim() === "" || a.includes("*")))) {
    problems.push("`audiences` must name at least one client id, without wildcards");
  }
  const subjects = o.subjects ?? [];
  const claims = Object.entries(o.claims ?? {});
  if (subjects.length === 0 && claims.length === 0) {
    problems.push("restrict the trust by `subjects` or by `claims` (a group): audience alone lets every user of the IdP in");
  }
  if (subjects.some((s) => ONLY_WILDCARDS.test(s) || s.trim() === "")) problems.push("`subjects` may not be only a wildcard");
  for (const [k, v] of claims) {
    if (v.length === 0 || v.some((x) => ONLY_WILDCARDS.test(x) || x.trim() === ""))
      problems.push(`claim \`${k}\` needs non-wildcard values`);
  }
  for (const k of o.presentTags ?? [])
    if (k.trim() === "" || /[*?]/.test(k)) problems.push(`\`presentTags\`: "${k}" is not a session tag key`);
  if (/^https?:\/\//.test(o.issuerKey) || o.issuerKey.endsWith("/"))
    problems.push("`issuerKey` is the issuer without scheme and trailing slash");
  return problems;
}

/** The trust statement for `AssumeRoleWithWebIdentity` from an OIDC provider. */
export function oidcTrustStatement(o: OidcTrustOptions): Statement {
  const problems = validateOidcTrust(o);
  if (problems.length) throw new Error(`OIDC trust is unsafe: ${problems.join("; ")}`);
  const equals: Record<string, pulumi.Input<string>[]> = { [`${o.issuerKey}:aud`]: [...o.audiences] };
  const like: Record<string, string[]> = {};
  const subjects = o.subjects ?? [];
  const exact = subjects.filter((s) => !/[*?]/.test(s));
  const patterns = subjects.filter((s) => /[*?]/.test(s));
  if (exact.length) equals[`${o.issuerKey}:sub`] = exact;
  if (patterns.length) like[`${o.issuerKey}:sub`] = patterns;
  const claimConditions: Conditions = {};
  for (const [claim, values] of Object.entries(o.claims ?? {})) {
    const key = claim.includes(":") ? claim : `${o.issuerKey}:${claim}`;
    // Session tags (aws:RequestTag/<key>) are single-valued; token claims such as amr are lists.
    const multi = key.startsWith("aws:RequestTag/") ? "" : "ForAnyValue:";
    const op = `${multi}${values.some((v) => /[*?]/.test(v)) ? "StringLike" : "StringEquals"}`;
    claimConditions[op] = { ...(claimConditions[op] ?? {}), [key]: [...values] };
  }
  const present = o.presentTags?.length
    ? { Null: Object.fromEntries(o.presentTags.map((k) => [`aws:RequestTag/${k}`, "false"])) }
    : undefined;
  if (exact.length && patterns.length) {
    throw new Error("OIDC trust: use either exact subjects or patterns, not both (IAM ANDs the two operators)");
  }
  return {
    Sid: "FederatedUsers",
    Effect: "Allow",
    Principal: { Federated: o.providerArn },
    Action: o.allowSessionTags ? ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"] : ["sts:AssumeRoleWithWebIdentity"],
    Condition: mergeConditions(
      { StringEquals: equals },
      Object.keys(like).length ? { StringLike: like } : undefined,
      claimConditions,
      present,
    ),
  };
}

export interface AccountTrustOptions {
  /** Accounts (or exact role ARNs) allowed to assume. */
  readonly principals: readonly pulumi.Input<string>[];
  /** Organization id: the caller must belong to it. */
  readonly organizationId?: string;
  /** External id the caller must pass. */
  readonly externalId?: pulumi.Input<string>;
  /** Restrict further to principals whose ARN matches (named roles, IAM Identity Center permission-set roles). */
  readonly principalArnPatterns?: readonly pulumi.Input<string>[];
}

/** The trust statement for `sts:AssumeRole` across accounts; requires an org or external id condition. */
export function accountTrustStatement(o: AccountTrustOptions): Statement {
  if (o.principals.length === 0) throw new Error("cross-account trust needs at least one principal");
  if (o.organizationId === undefined && o.externalId === undefined) {
    throw new Error("cross-account trust needs `organizationId` (aws:PrincipalOrgID) or `externalId` (sts:ExternalId)");
  }
  if (o.organizationId !== undefined && !ORG_ID.test(o.organizationId)) {
    throw new Error(`\`organizationId\` "${o.organizationId}" is not an AWS Organizations id (o-xxxxxxxxxx)`);
  }
  const equals: Record<string, pulumi.Input<string>> = {};
  if (o.organizationId) equals["aws:PrincipalOrgID"] = o.organizationId;
  if (o.externalId) equals["sts:ExternalId"] = o.externalId;
  const conditions: Conditions = { StringEquals: equals };
  if (o.principalArnPatterns?.length) conditions.ArnLike = { "aws:PrincipalArn": [...o.principalArnPatterns] };
  return {
    Sid: "CrossAccountCallers",
    Effect: "Allow",
    Principal: { AWS: [...o.principals] },
    Action: ["sts:AssumeRole"],
    Condition: conditions,
  };
}

/** Trust for an AWS service, with confused-deputy protection when a source account is given. */
export function serviceTrustStatement(service: string, sourceAccount?: pulumi.Input<string>, sourceArn?: pulumi.Input<string>): Statement {
  const condition: Conditions = {};
  if (sourceAccount !== undefined) condition.StringEquals = { "aws:SourceAccount": sourceAccount };
  if (sourceArn !== undefined) condition.ArnLike = { "aws:SourceArn": sourceArn };
  return {
    Effect: "Allow",
    Principal: { Service: service },
    Action: ["sts:AssumeRole"],
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  };
}
