/** IAM toolkit: typed statements and documents, principals with their conditions, ARNs, grants. */
export { allow, deny, denyInsecureTransport, mergeConditions, policyDocument, renderPolicy } from "./policy";
export type { Conditions, ConditionValue, PolicyDocument, Principal, Statement, StatementOptions } from "./policy";
export { accountTrustStatement, oidcTrustStatement, serviceTrustStatement, validateOidcTrust } from "./principals";
export type { AccountTrustOptions, OidcTrustOptions } from "./principals";
export {
  accountOfArn,
  accountRootArn,
  arn,
  awsEnvironment,
  foundationModelArn,
  oidcProviderArn,
  roleArn,
  systemInferenceProfileArn,
} from "./arn";
export type { AwsEnvironment } from "./arn";
export { grant } from "./grant";
export type { Grant, Grantee } from "./grant";
export { boundaryTags, isMarkedBoundary, PERMISSIONS_BOUNDARY_KIND, POLICY_KIND_TAG } from "./boundary";
