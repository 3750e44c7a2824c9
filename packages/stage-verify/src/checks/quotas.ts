import { DescribeContinuousBackupsCommand } from "@aws-sdk/client-dynamodb";
import { ok, fail, type CheckResult, type VerifyContext } from "./context";
import { expect401 } from "./http";

/** Quotas: the check API requires a token and the tables keep point-in-time recovery. */

/** The quota check API answers 401 without a token. */
export async function quotaApiAuthChecks(ctx: VerifyContext): Promise<CheckResult[]> {
  const { s, doFetch } = ctx;
  return [await expect401(doFetch, "quota api auth", s.quotaCheckUrl!, "GET")];
}

/** One quota table exists with point-in-time recovery on. */
export async function quotaTableChecks(ctx: VerifyContext, table: string): Promise<CheckResult[]> {
  const { c } = ctx;
  const check = `quota table ${table}`;
  try {
    const b = await c.ddb.send(new DescribeContinuousBackupsCommand({ TableName: table }));
    const pitr = b.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
    return [
      pitr === "ENABLED"
        ? ok(check, "exists, point-in-time recovery on")
        : fail(
            check,
            `point-in-time recovery is ${pitr ?? "off"}`,
            `\`aws dynamodb update-continuous-backups --table-name ${table} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true\`, then \`pulumi up\` to confirm no drift`,
          ),
    ];
  } catch (e) {
    if ((e as Error).name === "TableNotFoundException")
      return [
        fail(
          check,
          `table ${table} does not exist`,
          "run `pulumi refresh` then `pulumi up`; restore the limits from a backup if the table was deleted",
        ),
      ];
    throw e;
  }
}
