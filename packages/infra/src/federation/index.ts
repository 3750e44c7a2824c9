/** Federation: the IAM OIDC provider and Bedrock user role, or a Cognito Identity Pool. */
export { cognitoUserPoolIssuer, IssuerError, normalizeIssuer } from "./issuer";
export type { IdentityProviderKind, NormalisedIssuer } from "./issuer";
