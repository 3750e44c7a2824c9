import { ListCostAllocationTagsCommand } from "@aws-sdk/client-cost-explorer";
import { ok, fail, errText, type CheckResult, type VerifyContext } from "./context";

/** Cost allocation: the profile tags are active in Cost Explorer (management account only). */

/** The tag keys the profiles carry are active cost-allocation tags. */
export async function costAllocationTagChecks(ctx: VerifyContext, tagKeys: ReadonlySet<string>): Promise<CheckResult[]> {
  const { c } = ctx;
  const check = "cost-allocation-tags";
  const keys = [...(tagKeys.size ? tagKeys : new Set(["team", "cost-center"]))];
  let res;
  try {
    res = await c.ce.send(new ListCostAllocationTagsCommand({ TagKeys: keys }));
  } catch (e) {
    // In an organisation only the management (payer) account sees and activates cost-allocation tags.
    if ((e as Error).name === "AccessDeniedException")
      return [
        fail(
          check,
          `cannot read cost-allocation tags with these credentials: ${errText(e)}`,
          "rerun with credentials of the organisation's management (payer) account, or ask its owners to confirm that team and cost-center are active",
        ),
      ];
    throw e;
  }
  const active = new Set((res.CostAllocationTags ?? []).filter((t) => t.Status === "Active").map((t) => t.TagKey));
  const inactive = keys.filter((k) => !active.has(k));
  return [
    inactive.length === 0
      ? ok(check, `${keys.join(", ")} active`)
      : fail(
          check,
          `not active as cost-allocation tags: ${inactive.join(", ")}`,
          `in the management (payer) account: \`aws ce update-cost-allocation-tags-status --cost-allocation-tags-status ${inactive.map((k) => `TagKey=${k},Status=Active`).join(" ")}\` (tags appear up to 24 h after first use)`,
        ),
  ];
}
