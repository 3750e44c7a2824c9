import * as pulumi from "@pulumi/pulumi";
import { arn, type AwsEnvironment } from "../iam";

/** Glue ARNs of the analytics database: Firehose reads the schema through them, analysts the whole catalog. */
export function glueArns(env: AwsEnvironment, databaseName: string) {
  const glue = (resource: string) => arn(env.partition, "glue", env.region, env.accountId, resource);
  return {
    catalog: glue("catalog"),
    database: glue(`database/${databaseName}`),
    table: (table: string) => glue(`table/${databaseName}/${table}`),
  };
}

/** KMS use only when S3 asks on the caller's behalf (`kms:ViaService`). */
export const s3ViaService = (env: AwsEnvironment) => ({
  StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${env.region}.${env.dnsSuffix}` },
});
