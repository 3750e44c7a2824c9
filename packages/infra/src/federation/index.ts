/** Federation: the IAM OIDC provider and Bedrock user role, or a Cognito Identity Pool. */
export { cognitoUserPoolIssuer, IssuerError, normalizeIssuer } from "./issuer";
export type { IdentityProviderKind, NormalisedIssuer } from "./issuer";
export { OidcFederation, validateOidcFederationArgs } from "./oidc-federation";
export type { AccessRestriction, OidcFederationArgs } from "./oidc-federation";
export { CognitoIdentityPoolFederation } from "./cognito-identity-pool";
export type { CognitoIdentityPoolFederationArgs } from "./cognito-identity-pool";
export {
  DEVELOPER_BOUNDARY_ACTIONS,
  developerBoundaryName,
  developerBoundaryPolicy,
  developerBoundaryStatements,
} from "./developer-boundary";
export { IdentityCenterAccess, reservedRoleNamePrefix, validateIdentityCenterAccessArgs } from "./identity-center";
export type { IdentityCenterAccessArgs } from "./identity-center";
