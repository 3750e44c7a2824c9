import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, arn, grant, type AwsEnvironment } from "../iam";
import type { BuilderScope } from "../scope";
import type { SecureBucket } from "../storage";
import { glueArns, s3ViaService } from "./arns";
import type { AnalyticsGrants } from "./args";
import * as perms from "./perms";
import { METRICS_PREFIX, USER_DIRECTORY_PREFIX } from "./schema";

export interface GrantsArgs {
  readonly env: AwsEnvironment;
  readonly databaseName: string;
  readonly workgroupName: string;
  readonly keyArn: pulumi.Output<string>;
  readonly data: SecureBucket;
  readonly reference: SecureBucket;
  readonly results: SecureBucket;
  readonly ownLogGroup?: aws.cloudwatch.LogGroup;
}

/** The pipeline's grant verbs; each creates one role policy parented to the pipeline. */
export function analyticsGrants(scope: BuilderScope, args: GrantsArgs): AnalyticsGrants {
  const { env, data, reference, results, keyArn, ownLogGroup } = args;
  const glue = glueArns(env, args.databaseName);
  const workgroupArn = arn(env.partition, "athena", env.region, env.accountId, `workgroup/${args.workgroupName}`);
  return {
    runQueries: (grantee) =>
      grant(scope.parent, scope.name, "run-queries", grantee, [
        allow(perms.ATHENA_QUERY_ACTIONS, [workgroupArn], { sid: "QueryInWorkgroup" }),
        allow(perms.GLUE_READ_ACTIONS, [glue.catalog, glue.database, glue.table("*")], { sid: "ReadCatalog" }),
        allow(perms.DATA_READ_BUCKET_ACTIONS, [data.arn, reference.arn], { sid: "ListData" }),
        allow(
          perms.DATA_READ_OBJECT_ACTIONS,
          [pulumi.interpolate`${data.arn}/${METRICS_PREFIX}*`, pulumi.interpolate`${reference.arn}/*`],
          { sid: "ReadData" },
        ),
        allow(perms.RESULTS_BUCKET_ACTIONS, [results.arn], { sid: "ListResults" }),
        allow(perms.RESULTS_OBJECT_ACTIONS, [pulumi.interpolate`${results.arn}/athena/*`], { sid: "WriteResults" }),
        allow(perms.KMS_S3_ACTIONS, [keyArn], { sid: "UseKeyThroughS3", conditions: s3ViaService(env) }),
      ]),
    writeMetricEvents: (grantee) => {
      if (!ownLogGroup)
        throw new Error(
          `AnalyticsPipeline ${scope.name}: writeMetricEvents is only for source.createLogGroup; grant writes on the collector's own log group instead`,
        );
      return grant(scope.parent, scope.name, "write-metric-events", grantee, [
        allow(perms.EMF_WRITE_ACTIONS, [ownLogGroup.arn, pulumi.interpolate`${ownLogGroup.arn}:log-stream:*`], { sid: "WriteEmfLines" }),
      ]);
    },
    uploadUserDirectory: (grantee) =>
      grant(scope.parent, scope.name, "upload-user-directory", grantee, [
        allow(perms.DIRECTORY_WRITE_ACTIONS, [pulumi.interpolate`${reference.arn}/${USER_DIRECTORY_PREFIX}*`], { sid: "WriteDirectory" }),
        allow(perms.KMS_S3_ACTIONS, [keyArn], { sid: "EncryptDirectory", conditions: s3ViaService(env) }),
      ]),
  };
}
