import { runSimulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { settle, unwrap } from "../testing";
import { ACCOUNT, bySid, quotaServiceArgs as args, useQuotaMocks } from "./testing";

const mocks = useQuotaMocks();

describe("check API writes", () => {
  it("may put items only in the profile partitions of the usage table (not usage, unblocks, leases or state)", async () => {
    const q = new mocks.quotas.QuotaService("quota", args());
    await unwrap(q.checkUrl);
    await settle();
    const statement = bySid(mocks.one("aws:iam/rolePolicy:RolePolicy", "quota-check-permissions"), "RememberGroups");
    const table = ([] as string[]).concat(statement.Resource as string | string[])[0]!;
    const decide = async (partition: string) => {
      const r = await runSimulation(
        {
          identityPolicies: [{ name: "check", policy: { Version: "2012-10-17", Statement: [statement] } }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          request: {
            action: "dynamodb:PutItem",
            principal: `arn:aws:iam::${ACCOUNT}:role/ccb-prod-quota-check`,
            resource: { accountId: ACCOUNT, resource: table },
            contextVariables: { "dynamodb:LeadingKeys": [partition] },
          },
        },
        {},
      );
      if (r.resultType !== "single") throw new Error(`unexpected simulation result ${JSON.stringify(r)}`);
      return r.overallResult;
    };
    expect(await decide("PROFILE#b07")).toBe("Allowed");
    for (const other of ["M#2026-12#b07", "UNBLOCK#b07", "USER#alice@example.com", "STATE"])
      expect(await decide(other), other).toBe("ImplicitlyDenied");
  });
});
