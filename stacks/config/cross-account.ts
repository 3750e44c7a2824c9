import { naming } from "@ccb/infra";
import type { Reader } from "./problems";
import type { CrossAccountRoleConfig, WorkloadAccountConfig } from "./stage-config";

const { ROLE_NAME, TEAM_NAME } = naming.patterns;

/**
 * `aws:PrincipalArn` patterns of a cross-account role: role ARNs in the role's source accounts whose
 * name is pinned before any wildcard. `*`, `arn:aws:iam::<account>:*` or `…:role/*` would admit every
 * principal of an account (or of any account), which is what the named source roles are there to avoid.
 */
function principalArnPatterns(x: Reader, sourceAccountIds: readonly string[]): string[] {
  const patterns = x.strList("principalArnPatterns", { default: [] });
  patterns.forEach((pattern, i) => {
    const key = `${x.key("principalArnPatterns")}[${i}]`;
    const m = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(.+)$/.exec(pattern);
    if (!m) {
      x.p.add(
        key,
        `"${pattern}" is not a role ARN pattern: write arn:aws:iam::<source account id>:role/<role name or name prefix>* (a bare wildcard or a whole account admits every principal there)`,
      );
      return;
    }
    const [, account, name] = m;
    if (sourceAccountIds.length && !sourceAccountIds.includes(account!)) {
      x.p.add(
        key,
        `is in account ${account}, which is not one of this role's sourceAccounts (${sourceAccountIds.join(", ")}); use a role of a source account`,
      );
    }
    if (name!.replace(/[*?/]/g, "") === "" || /^[*?]/.test(name!)) {
      x.p.add(
        key,
        `"${pattern}" admits every role of account ${account}: pin the role name (or a name prefix such as role/ci-*), or list the roles in sourceRoleNames`,
      );
    }
  });
  return patterns;
}

/** `stage.crossAccount.roles`: roles in the inference account that named roles of workload accounts assume. */
export function parseCrossAccountRoles(
  xa: Reader | undefined,
  workloads: readonly WorkloadAccountConfig[],
  organizationId: string | undefined,
): CrossAccountRoleConfig[] {
  const workloadNames = new Set(workloads.map((w) => w.name));
  return (xa?.list("roles") ?? []).map((x) => {
    const sourceAccounts = x.strList("sourceAccounts", { min: 1 });
    sourceAccounts.forEach((s, i) => {
      if (!workloadNames.has(s)) xa!.p.add(`${x.key("sourceAccounts")}[${i}]`, `"${s}" is not in accounts.workloads; add it there first`);
    });
    const externalId = x.optStr("externalId", { pattern: /^[\w+=,.@:/-]{2,1224}$/, hint: "2–1224 characters of [\\w+=,.@:/-]" });
    if (!organizationId && !externalId)
      xa!.p.add(x.key("externalId"), "set stage.organizationId or an externalId: cross-account trust needs one of them");
    const sourceRoleNames = x.strList("sourceRoleNames", { default: [], pattern: ROLE_NAME, hint: "IAM role names" });
    const patterns = principalArnPatterns(
      x,
      sourceAccounts.flatMap((s) => workloads.filter((w) => w.name === s).map((w) => w.id)),
    );
    // Without named roles or patterns the trust names only the source accounts: every principal there
    // whose own policies allow sts:AssumeRole could use the role.
    if (sourceRoleNames.length === 0 && patterns.length === 0) {
      xa!.p.add(
        x.key("sourceRoleNames"),
        "is required (or principalArnPatterns): without either, every principal of the source accounts may assume the role; name the roles that call Claude",
      );
    }
    return {
      name: x.str("name", { pattern: TEAM_NAME, hint: "lower-case name" }),
      sourceAccounts,
      sourceRoleNames,
      ...(externalId ? { externalId } : {}),
      principalArnPatterns: patterns,
    };
  });
}
