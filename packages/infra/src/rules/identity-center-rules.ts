import { at } from "../testing/inputs";
import type { RecordedResource } from "../testing/recorder";
import type { SecurityRule } from "./types";

const PERMISSION_SET = "aws:ssoadmin/permissionSet:PermissionSet";
const BOUNDARY = "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment";

/** ISO-8601 `PT<h>H<m>M` → hours. */
function hoursOf(duration: unknown): number | undefined {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(String(duration ?? ""));
  if (!m || (!m[1] && !m[2])) return undefined;
  return Number(m[1] ?? 0) + Number(m[2] ?? 0) / 60;
}

/**
 * An IAM Identity Center permission set gets the same ceiling as the federated developer role: a
 * permissions boundary (whatever is attached later cannot exceed it) and an explicit session length of
 * at most 12 hours (IdC's default is one hour, but an unset duration hides the decision).
 */
export const permissionSetBounded: SecurityRule = {
  id: "idc-permission-set-bounded",
  description: "IAM Identity Center permission sets carry a permissions boundary and a session duration of at most 12 hours",
  types: [PERMISSION_SET],
  check(r: RecordedResource, stack: readonly RecordedResource[]) {
    const out: string[] = [];
    const h = hoursOf(r.inputs.sessionDuration);
    if (h === undefined) out.push("sets no sessionDuration (PT<hours>H)");
    else if (h > 12) out.push(`sessionDuration ${r.inputs.sessionDuration} is longer than 12 hours`);
    // Rules see inputs, not the set's ARN (unknown until IdC creates it): pair sets and boundaries per instance.
    const sets = stack.filter((x) => x.type === PERMISSION_SET && x.inputs.instanceArn === r.inputs.instanceArn).length;
    const boundaries = stack.filter(
      (b) =>
        b.type === BOUNDARY &&
        b.inputs.instanceArn === r.inputs.instanceArn &&
        at(b.inputs, "permissionsBoundary", "customerManagedPolicyReference", "name"),
    ).length;
    if (boundaries < sets)
      out.push(
        `has no permissions boundary attachment (${sets} permission set(s), ${boundaries} boundary attachment(s) in ${r.inputs.instanceArn})`,
      );
    return out;
  },
};

export const IDENTITY_CENTER_RULES = [permissionSetBounded];
