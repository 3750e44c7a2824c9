import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsEnvironment } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import type { SecureBucket } from "../storage";
import { NAMED_QUERIES } from "./queries";

export interface WorkgroupArgs {
  readonly env: AwsEnvironment;
  readonly workgroupName: string;
  readonly keyArn: pulumi.Output<string>;
  readonly results: SecureBucket;
  readonly database: aws.glue.CatalogDatabase;
  readonly bytesScannedCutoffPerQuery?: number;
  readonly forceDestroy: boolean;
}

export interface Workgroup {
  readonly workgroup: aws.athena.Workgroup;
  readonly namedQueryIds: Record<string, pulumi.Output<string>>;
}

/** The Athena workgroup (enforced settings, KMS-encrypted results, bytes-scanned cutoff) and its named queries. */
export function buildWorkgroup(scope: BuilderScope, args: WorkgroupArgs): Workgroup {
  const workgroup = new aws.athena.Workgroup(
    `${scope.name}-workgroup`,
    {
      name: args.workgroupName,
      description: "Claude Code analytics: usage, cost, adoption. Results encrypted with the analytics key.",
      state: "ENABLED",
      forceDestroy: args.forceDestroy,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        bytesScannedCutoffPerQuery: args.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
          outputLocation: pulumi.interpolate`s3://${args.results.bucketName}/athena/`,
          expectedBucketOwner: args.env.accountId,
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: args.keyArn },
        },
      },
      tags: scope.tags,
    },
    childOpts(scope, { dependsOn: [args.results] }),
  );
  const namedQueryIds: Record<string, pulumi.Output<string>> = {};
  for (const q of NAMED_QUERIES) {
    const nq = new aws.athena.NamedQuery(
      `${scope.name}-query-${q.key}`,
      { name: q.name, description: q.description, database: args.database.name, workgroup: workgroup.name, query: q.sql },
      childOpts(scope),
    );
    namedQueryIds[q.key] = nq.id;
  }
  return { workgroup, namedQueryIds };
}
