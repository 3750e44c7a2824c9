/** Cross-account access: restricted invoke-only roles for workload accounts. */
export { CrossAccountRole, validateCrossAccountRoleArgs } from "./cross-account-role";
export type { CrossAccountRoleArgs } from "./cross-account-role";
