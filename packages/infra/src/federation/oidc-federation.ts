import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { oidcTrustStatement, policyDocument, renderPolicy, validateOidcTrust } from "../iam";
import { developerBoundaryPolicy } from "./developer-boundary";
import type { NormalisedIssuer } from "./issuer";
import { SESSION_TAG_KEY } from "../naming/patterns";

export interface AccessRestriction {
  /** IdP subjects (`sub`) allowed to assume the role; exact values or patterns. */
  readonly allowedSubjects?: readonly string[];
  /** A session tag the IdP must send (the `https://aws.amazon.com/tags` claim), e.g. claude-code=enabled. */
  readonly requiredSessionTag?: { readonly key: string; readonly values: readonly string[] };
  /**
   * Session tags the token must carry, with any value (`Null: { "aws:RequestTag/<key>": "false" }`),
   * e.g. `email` when the quota block keys on `aws:PrincipalTag/email`: the caller of
   * AssumeRoleWithWebIdentity chooses the session name, but session tags come only from the signed token.
   * They only add to the restriction above (a present tag says nothing about who may sign in).
   */
  readonly requiredTagKeys?: readonly string[];
}

export interface OidcFederationArgs extends AccessRestriction {
  /**
   * The corporate IdP. Absent only in an IAM Identity Center stage without one (`createRole: false`):
   * no provider is created then, only the developer boundary the permission set references.
   */
  readonly issuer?: NormalisedIssuer;
  /** Client ids accepted as the token's `aud` (required with `issuer`). */
  readonly clientIds?: readonly string[];
  /** Use an existing IAM OIDC provider (there is one per issuer per account) instead of creating one. */
  readonly existingProviderArn?: pulumi.Input<string>;
  /** Longest session the role allows, 1–12 hours. @default 8 */
  readonly maxSessionHours?: number;
  /** Create the Bedrock user role (off for Cognito Identity Pool stages, which only need the provider). @default true */
  readonly createRole?: boolean;
  /**
   * Create the developer permissions boundary (`<boundaryNamePrefix>-developer-boundary`) and set it on
   * the user role; also exposed as `boundaryArn` for a Cognito pool's role. Omit to create none.
   */
  readonly boundaryNamePrefix?: string;
  readonly tags?: Record<string, string>;
}

function trustRestriction(args: AccessRestriction) {
  return {
    ...(args.allowedSubjects?.length ? { subjects: args.allowedSubjects } : {}),
    ...(args.requiredSessionTag ? { claims: { [`aws:RequestTag/${args.requiredSessionTag.key}`]: args.requiredSessionTag.values } } : {}),
    ...(args.requiredTagKeys?.length ? { presentTags: args.requiredTagKeys } : {}),
  };
}

/** Validates args; returns problems naming the arg. */
export function validateOidcFederationArgs(args: OidcFederationArgs): string[] {
  const problems: string[] = [];
  if (!args.issuer) {
    if (args.createRole ?? true) problems.push("`issuer` is required to create the role: the role trusts that IdP's tokens");
    if (args.existingProviderArn !== undefined || args.clientIds?.length)
      problems.push("`existingProviderArn` and `clientIds` describe an issuer's provider: give `issuer` as well");
    return problems;
  }
  if (!args.clientIds?.length) problems.push("`clientIds` needs at least one client id");
  const hours = args.maxSessionHours ?? 8;
  if (!Number.isInteger(hours) || hours < 1 || hours > 12) problems.push("`maxSessionHours` must be a whole number from 1 to 12");
  if ((args.createRole ?? true) && !args.allowedSubjects?.length && !args.requiredSessionTag) {
    problems.push("restrict the role with `allowedSubjects` or `requiredSessionTag`: the audience alone admits every user of the IdP");
  }
  for (const k of args.requiredTagKeys ?? [])
    if (!SESSION_TAG_KEY.test(k)) problems.push(`\`requiredTagKeys\`: "${k}" is not a session tag key`);
  if (args.requiredTagKeys && new Set(args.requiredTagKeys).size !== args.requiredTagKeys.length)
    problems.push("`requiredTagKeys` lists a key twice");
  if (!args.issuer.url.startsWith("https://")) problems.push("`issuer` must be normalised with normalizeIssuer()");
  if ((args.createRole ?? true) && problems.length === 0) {
    // The trust's own checks, run before any child exists so a refusal leaves nothing behind.
    problems.push(
      ...validateOidcTrust({ providerArn: "", issuerKey: args.issuer.key, audiences: args.clientIds!, ...trustRestriction(args) }),
    );
  }
  return problems;
}

/**
 * The IAM OIDC identity provider for the stage's IdP and the role developers assume with
 * `AssumeRoleWithWebIdentity`. The trust pins the audience to the helper's client id, restricts the
 * subject (pilot) or requires a session tag the IdP sends (production), optionally requires further
 * session tags to be present (`requiredTagKeys`, e.g. the email the quota block keys on), and allows `sts:TagSession`
 * so attributes from the token reach CloudTrail and cost reports. The role has no permissions of its
 * own: the inference account grants model access to it.
 */
export class OidcFederation extends pulumi.ComponentResource {
  /** The IAM OIDC provider for the issuer; absent without an issuer. */
  readonly providerArn?: pulumi.Output<string>;
  readonly role?: aws.iam.Role;
  readonly roleArn?: pulumi.Output<string>;
  readonly roleName?: pulumi.Output<string>;
  /** The developer permissions boundary, when `boundaryNamePrefix` was given. */
  readonly boundaryArn?: pulumi.Output<string>;
  /** The boundary policy itself (an IdC permission set references it by name). */
  readonly boundary?: aws.iam.Policy;

  constructor(name: string, args: OidcFederationArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:federation:OidcFederation", name, {}, opts);
    const problems = validateOidcFederationArgs(args);
    if (problems.length) throw new Error(`OidcFederation ${name}: ${problems.join("; ")}`);

    const { issuer } = args;
    const clientIds = args.clientIds ?? [];
    if (args.existingProviderArn !== undefined) {
      this.providerArn = pulumi.output(args.existingProviderArn);
    } else if (issuer) {
      const provider = new aws.iam.OpenIdConnectProvider(
        `${name}-provider`,
        {
          url: issuer.url,
          clientIdLists: [...clientIds],
          tags: args.tags,
        },
        { parent: this },
      );
      this.providerArn = provider.arn;
    }

    if (args.boundaryNamePrefix !== undefined) {
      this.boundary = developerBoundaryPolicy(this, name, args.boundaryNamePrefix, args.tags);
      this.boundaryArn = this.boundary.arn;
    }

    // Validation refuses createRole without an issuer, so both are known here.
    if ((args.createRole ?? true) && issuer && this.providerArn) {
      const trust = oidcTrustStatement({
        providerArn: this.providerArn,
        issuerKey: issuer.key,
        audiences: clientIds,
        ...trustRestriction(args),
        allowSessionTags: true,
      });
      this.role = new aws.iam.Role(
        `${name}-users`,
        {
          description: "Developers using Claude Code through Amazon Bedrock, federated from the corporate IdP",
          assumeRolePolicy: renderPolicy(policyDocument(trust)),
          maxSessionDuration: (args.maxSessionHours ?? 8) * 3600,
          ...(this.boundaryArn ? { permissionsBoundary: this.boundaryArn } : {}),
          tags: args.tags,
        },
        { parent: this },
      );
      this.roleArn = this.role.arn;
      this.roleName = this.role.name;
    }
    this.registerOutputs({ providerArn: this.providerArn, roleArn: this.roleArn, roleName: this.roleName, boundaryArn: this.boundaryArn });
  }
}
