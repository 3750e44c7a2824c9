import * as pulumi from "@pulumi/pulumi";
import { federation } from "@ccb/infra";
import type { StageSettings } from "@ccb/contracts";
import type { StageContext } from "./context";
import { identityCenterUserRole } from "./identity-center";

/** What federation hands to the rest of the stage. */
export interface FederationPart {
  readonly oidc: federation.OidcFederation;
  /** The role federated developers assume (or the Cognito pool's authenticated role). */
  readonly userRole: { readonly arn: pulumi.Output<string>; readonly name: pulumi.Output<string> };
  /** The `federation` block of the helper settings. */
  readonly settings: pulumi.Output<StageSettings["federation"]>;
}

/**
 * Composes developer federation in the inference account: the OIDC provider, and the role or the Cognito
 * identity pool. In an IAM Identity Center stage the role is the one IdC provisions for the permission
 * set (composed after the areas, `composeIdentityCenter`); its helper settings follow from the config.
 */
export function composeFederation(ctx: Pick<StageContext, "config" | "providers" | "tags">): FederationPart {
  const { config, tags } = ctx;
  const idp = config.identityProvider;
  const inInference = { providers: { aws: ctx.providers.inference } };
  const access = {
    ...(idp?.allowedSubjects.length ? { allowedSubjects: idp.allowedSubjects } : {}),
    ...(idp?.requiredSessionTag ? { requiredSessionTag: idp.requiredSessionTag } : {}),
  };
  // An IdC stage without a corporate IdP gets no OIDC provider: only the developer boundary below.
  const oidc = new federation.OidcFederation(
    `${config.namePrefix}-federation`,
    {
      ...(idp ? { issuer: idp.issuer, clientIds: [idp.clientId] } : {}),
      ...(idp?.existingProviderArn ? { existingProviderArn: idp.existingProviderArn } : {}),
      ...access,
      // The email session tag the quota block keys on must be in every session (direct federation only).
      ...(idp?.emailSessionTag && config.federation.mode === "direct" ? { requiredTagKeys: [idp.emailSessionTag] } : {}),
      maxSessionHours: config.federation.sessionDurationHours,
      createRole: config.federation.mode === "direct",
      // Caps every developer session at model invocation, registry reads and quota checks.
      boundaryNamePrefix: config.namePrefix,
      tags,
    },
    inInference,
  );
  if (config.federation.mode === "cognito-identity-pool" && idp && oidc.providerArn) {
    const pool = new federation.CognitoIdentityPoolFederation(
      `${config.namePrefix}-identity-pool`,
      {
        issuer: idp.issuer,
        clientIds: [idp.clientId],
        oidcProviderArn: oidc.providerArn,
        permissionsBoundaryArn: oidc.boundaryArn!,
        ...access,
        principalTags: {
          email: idp.emailClaim,
          ...(idp.attributeClaims.department ? { department: idp.attributeClaims.department } : {}),
          ...(idp.attributeClaims.team ? { team: idp.attributeClaims.team } : {}),
        },
        tags,
      },
      inInference,
    );
    return {
      oidc,
      userRole: { arn: pool.roleArn, name: pool.roleName },
      settings: pulumi.output({
        mode: "cognito-identity-pool" as const,
        identityPoolId: pool.identityPoolId,
        identityPoolRegion: config.region,
        roleArn: pool.roleArn,
        providerName: pool.providerName,
      }),
    };
  }
  if (config.federation.mode === "identity-center") {
    const idc = config.federation.identityCenter!;
    return {
      oidc,
      userRole: identityCenterUserRole(config),
      settings: pulumi.output({
        mode: "identity-center" as const,
        startUrl: idc.startUrl,
        ssoRegion: idc.ssoRegion,
        accountId: config.accounts.inference.id,
        roleName: idc.permissionSetName,
      }),
    };
  }
  return {
    oidc,
    userRole: { arn: oidc.roleArn!, name: oidc.roleName! },
    settings: pulumi.output({
      mode: "direct" as const,
      roleArn: oidc.roleArn!,
      sessionDurationSeconds: config.federation.sessionDurationHours * 3600,
    }),
  };
}
