import * as pulumi from "@pulumi/pulumi";
import { allow, grant } from "../iam";
import { EXPORT_PREFIX, validateBillingExportArgs, type BillingExportArgs, type BillingGrants } from "./billing-args";
import { buildBillingQueries, buildCostAllocationTags, buildCurBucket, buildCurExport, buildCurTable } from "./billing-builders";
import * as perms from "./perms";

export * from "./billing-args";

/**
 * The billed side of Bedrock cost: a CUR 2.0 data export (Parquet, daily, resource ids and IAM
 * principal) into an SSE encrypted, TLS-only bucket with lifecycle, a Glue table over it with partition
 * projection on `billing_period`, the billing and reconciliation named queries in the analytics
 * workgroup, and (payer account only) the cost allocation tags the queries group by.
 *
 * The export covers the costs of the account it is created in: in a member account its own costs,
 * in the management account every member's. Put it in the inference account (its Bedrock spend) or
 * in the payer with a separate small stack (see docs/analytics.md).
 */
export class BillingExport extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly exportArn: pulumi.Output<string>;
  readonly tableName: pulumi.Output<string>;
  readonly namedQueryIds: Record<string, pulumi.Output<string>>;
  readonly grants: BillingGrants;

  constructor(name: string, args: BillingExportArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:analytics:BillingExport", name, {}, opts);
    const problems = validateBillingExportArgs(args);
    if (problems.length) throw new Error(`BillingExport ${name}: ${problems.join("; ")}`);
    const scope = { name, parent: this, tags: args.tags ?? {} };
    const exportName = `${args.namePrefix}-bedrock-cur`;
    const bucket = buildCurBucket(scope, args);
    const exp = buildCurExport(scope, args, bucket, exportName);
    buildCostAllocationTags(scope, args);
    const table = buildCurTable(scope, args, bucket, exportName);
    this.namedQueryIds = buildBillingQueries(scope, args, table);

    this.grants = {
      readBilledCost: (grantee) =>
        grant(this, name, "read-billed-cost", grantee, [
          allow(perms.DATA_READ_BUCKET_ACTIONS, [bucket.arn], { sid: "ListCur" }),
          allow(perms.DATA_READ_OBJECT_ACTIONS, [pulumi.interpolate`${bucket.arn}/${EXPORT_PREFIX}/*`], { sid: "ReadCur" }),
        ]),
    };
    this.bucketName = bucket.bucketName;
    this.exportArn = exp.arn;
    this.tableName = table.name;
    this.registerOutputs({
      bucketName: this.bucketName,
      exportArn: this.exportArn,
      tableName: this.tableName,
      namedQueryIds: this.namedQueryIds,
    });
  }
}
