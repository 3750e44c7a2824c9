/**
 * Permissions boundaries are managed policies that are never attached as grants: IAM intersects a
 * role's permissions with its boundary, so a boundary only sets a ceiling. The program marks each
 * boundary it creates with a tag, so the security rules can tell a ceiling from a grant by what the
 * policy says it is (and then check it as a ceiling), not by its name or by an exemption list.
 */

/** Tag key of the marker; the value says what kind of policy it is. */
export const POLICY_KIND_TAG = "ccb:policy-kind";
/** The marker's value for a permissions boundary. */
export const PERMISSIONS_BOUNDARY_KIND = "permissions-boundary";

/** Tags of a boundary policy: the caller's tags plus the marker. */
export function boundaryTags(tags?: Readonly<Record<string, string>>): Record<string, string> {
  return { ...tags, [POLICY_KIND_TAG]: PERMISSIONS_BOUNDARY_KIND };
}

/** Whether a managed policy's tags mark it as a permissions boundary. */
export function isMarkedBoundary(tags: unknown): boolean {
  return typeof tags === "object" && tags !== null && (tags as Record<string, unknown>)[POLICY_KIND_TAG] === PERMISSIONS_BOUNDARY_KIND;
}
