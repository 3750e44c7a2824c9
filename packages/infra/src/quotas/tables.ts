import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyDocument, renderPolicy } from "../iam";
import { hash8, physicalName } from "../naming";
import { type BuilderScope, childOpts } from "../scope";

export interface TablesArgs {
  readonly namePrefix: string;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly deletionProtection: boolean;
}

export interface Tables {
  readonly limitsTable: aws.dynamodb.Table;
  readonly usageTable: aws.dynamodb.Table;
}

/** The limits and usage tables: on demand, point-in-time recovery, the stage key. */
export function buildTables(scope: BuilderScope, args: TablesArgs): Tables {
  const { name, tags } = scope;
  const tableCommon = {
    billingMode: "PAY_PER_REQUEST",
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
    deletionProtectionEnabled: args.deletionProtection,
    tags,
  };
  // Physical names: the admin CLI and runbooks name these tables.
  const limitsTable = new aws.dynamodb.Table(
    `${name}-limits`,
    {
      ...tableCommon,
      name: physicalName("lambda", [args.namePrefix, "quota-limits"]),
      hashKey: "scope",
      rangeKey: "id",
      attributes: [
        { name: "scope", type: "S" },
        { name: "id", type: "S" },
      ],
    },
    childOpts(scope),
  );
  const usageTable = new aws.dynamodb.Table(
    `${name}-usage`,
    {
      ...tableCommon,
      name: physicalName("lambda", [args.namePrefix, "quota-usage"]),
      hashKey: "pk",
      rangeKey: "sk",
      attributes: [
        { name: "pk", type: "S" },
        { name: "sk", type: "S" },
      ],
      // No secondary index: a month's records are one partition per user bucket, read with strongly
      // consistent queries (packages/quota-functions/src/store.ts).
      ttl: { attributeName: "expiresAt", enabled: true },
    },
    childOpts(scope),
  );
  return { limitsTable, usageTable };
}

/** The alert topic (stage key, TLS only) and one email subscription per recipient. */
export function buildAlertTopic(
  scope: BuilderScope,
  args: { readonly kmsKeyArn: pulumi.Input<string>; readonly alertEmails: readonly string[] },
): aws.sns.Topic {
  const { name, tags } = scope;
  const topic = new aws.sns.Topic(`${name}-alerts`, { kmsMasterKeyId: args.kmsKeyArn, tags }, childOpts(scope));
  new aws.sns.TopicPolicy(
    `${name}-alerts-policy`,
    { arn: topic.arn, policy: renderPolicy(policyDocument(denyInsecureTransport("sns", [topic.arn]))) },
    childOpts(scope),
  );
  for (const email of args.alertEmails) {
    new aws.sns.TopicSubscription(
      `${name}-alerts-${hash8(email.toLowerCase())}`,
      { topic: topic.arn, protocol: "email", endpoint: email },
      childOpts(scope),
    );
  }
  return topic;
}
