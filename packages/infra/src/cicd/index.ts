/** The cicd module: the roles GitHub Actions assumes through GitHub's OIDC federation to preview and deploy a stage. */
export { GitHubDeployRoles } from "./github-deploy-roles";
export type { GitHubDeployRolesArgs, GitHubEntryArgs, IdentityCenterDeployArgs, ReleaseArgs, StateBackendArgs } from "./args";
export {
  ciRoleKind,
  ciRoleNames,
  CI_ROLE_KIND_ENV,
  deployRefs,
  deploySubjects,
  previewRoleArnFor,
  previewSubjects,
  releaseRefs,
  releaseSubjects,
  validateDeployRoleArgs,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  GITHUB_OIDC_URL,
  GITHUB_REPOSITORY,
  MAX_CI_SESSION_SECONDS,
} from "./validate";
export type { SubjectSpec } from "./validate";
export {
  APIGATEWAY_ACCESS_LOG_ACTIONS,
  BOUNDED_ROLE_WRITE_ACTIONS,
  DEPLOY_GROUPS,
  DEPLOY_SERVICES,
  PREVIEW_READ_ACTIONS,
  DATA_PLANE_READS,
  IDENTITY_CENTER_DEPLOY_ACTIONS,
  previewReadActions,
} from "./perms";
export type { PermissionGroup } from "./perms";
export {
  BOUNDARY_CAP_SID,
  guardrailStatements,
  stageBoundaryArns,
  validateWorkloadBoundaryArgs,
  WorkloadBoundary,
  workloadBoundaryName,
  workloadBoundaryStatements,
} from "./workload-boundary";
export type { StageIamScope, WorkloadBoundaryArgs } from "./workload-boundary";
export { SECRET_SIG, SECRET_SIG_KEY, secretFreeDeployment, WITHHELD_SECRET } from "./preview-state";
export type { SecretFreeDeployment } from "./preview-state";
