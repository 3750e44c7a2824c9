import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { oidcTrustStatement, policyDocument, renderPolicy } from "../iam";
import type { AccessRestriction } from "./oidc-federation";
import type { NormalisedIssuer } from "./issuer";

export interface CognitoIdentityPoolFederationArgs extends AccessRestriction {
  readonly issuer: NormalisedIssuer;
  readonly clientIds: readonly string[];
  /** ARN of the IAM OIDC provider for the issuer (the pool trusts tokens through it). */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** Claims copied into session tags (tag → claim), for attribution in CloudTrail and cost reports. */
  readonly principalTags?: Readonly<Record<string, string>>;
  /** Permissions boundary of the authenticated role (the developer boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  readonly tags?: Record<string, string>;
}

/**
 * The alternative federation the seed names: a Cognito Identity Pool (enhanced flow only, no guest
 * identities) whose authenticated role has the same limits as the direct role. Tokens are exchanged
 * with `GetId` + `GetCredentialsForIdentity`; claims become session tags through the pool's principal
 * tag mapping, and the subject restriction is enforced on those tags in the role's trust policy.
 * Cognito issues one-hour credentials; the helper refreshes them silently.
 */
export class CognitoIdentityPoolFederation extends pulumi.ComponentResource {
  readonly identityPoolId: pulumi.Output<string>;
  readonly role: aws.iam.Role;
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  /** The login key the helper uses (`issuer host/path`). */
  readonly providerName: string;

  constructor(name: string, args: CognitoIdentityPoolFederationArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:federation:CognitoIdentityPoolFederation", name, {}, opts);
    if (!args.allowedSubjects?.length && !args.requiredSessionTag) {
      throw new Error(`CognitoIdentityPoolFederation ${name}: restrict the role with \`allowedSubjects\` or \`requiredSessionTag\``);
    }
    if (args.clientIds.length === 0) throw new Error(`CognitoIdentityPoolFederation ${name}: \`clientIds\` needs at least one client id`);
    this.providerName = args.issuer.key;

    const pool = new aws.cognito.IdentityPool(
      `${name}-pool`,
      {
        identityPoolName: name.replace(/[^\w ]/g, "_"),
        allowUnauthenticatedIdentities: false,
        allowClassicFlow: false,
        openidConnectProviderArns: [args.oidcProviderArn],
        tags: args.tags,
      },
      { parent: this },
    );
    this.identityPoolId = pool.id;

    // The pool maps these claims to session tags; `idp_sub` carries the IdP subject so the trust can
    // restrict it (Cognito's own `sub` is the identity id, not the user).
    const principalTags: Record<string, string> = { idp_sub: "sub", ...(args.principalTags ?? {}) };
    if (args.requiredSessionTag) principalTags[args.requiredSessionTag.key] = args.requiredSessionTag.key;
    new aws.cognito.IdentityPoolProviderPrincipalTag(
      `${name}-principal-tags`,
      {
        identityPoolId: pool.id,
        identityProviderName: args.oidcProviderArn,
        principalTags,
        useDefaults: false,
      },
      { parent: this },
    );

    const claims: Record<string, readonly string[]> = { "cognito-identity.amazonaws.com:amr": ["authenticated"] };
    if (args.allowedSubjects?.length) claims["aws:RequestTag/idp_sub"] = args.allowedSubjects;
    if (args.requiredSessionTag) claims[`aws:RequestTag/${args.requiredSessionTag.key}`] = args.requiredSessionTag.values;
    this.role = new aws.iam.Role(
      `${name}-authenticated`,
      {
        description: "Developers using Claude Code through Amazon Bedrock, via the Cognito Identity Pool",
        assumeRolePolicy: renderPolicy(
          policyDocument(
            oidcTrustStatement({
              providerArn: "cognito-identity.amazonaws.com",
              issuerKey: "cognito-identity.amazonaws.com",
              audiences: [pool.id],
              claims,
              allowSessionTags: true,
            }),
          ),
        ),
        maxSessionDuration: 3600,
        ...(args.permissionsBoundaryArn !== undefined ? { permissionsBoundary: args.permissionsBoundaryArn } : {}),
        tags: args.tags,
      },
      { parent: this },
    );
    this.roleArn = this.role.arn;
    this.roleName = this.role.name;

    new aws.cognito.IdentityPoolRoleAttachment(
      `${name}-roles`,
      {
        identityPoolId: pool.id,
        roles: { authenticated: this.role.arn },
      },
      { parent: this },
    );
    this.registerOutputs({ identityPoolId: this.identityPoolId, roleArn: this.roleArn });
  }
}
