import * as aws from "@pulumi/aws";
import { alarmTopicKeyStatement, buildAlarmTopic } from "../alarm-topic";
import { allow, type AwsEnvironment } from "../iam";
import type { BuilderScope } from "../scope";
import { customerKey } from "../storage";
import { KMS_SERVICE_ENCRYPT_ACTIONS } from "./perms";

export interface KeyAndTopicInputs {
  readonly namePrefix: string;
  readonly env: AwsEnvironment;
  readonly emails: readonly string[];
}

/** The inference key (invocation logs, alarm topic) and the stage's encrypted alarm topic with its email subscriptions. */
export function buildKeyAndTopic(scope: BuilderScope, args: KeyAndTopicInputs): { key: aws.kms.Key; topic: aws.sns.Topic } {
  const { name, tags } = scope;
  const sourceAccount = { StringEquals: { "aws:SourceAccount": args.env.accountId } };
  const key = customerKey(scope.parent, name, args.env, {
    description: `${args.namePrefix}: invocation logs, alarm topic`,
    alias: `${args.namePrefix}-inference`,
    logGroups: "*",
    statements: [
      alarmTopicKeyStatement(args.env),
      allow(KMS_SERVICE_ENCRYPT_ACTIONS, ["*"], {
        sid: "BedrockWritesLogs",
        principal: { Service: "bedrock.amazonaws.com" },
        conditions: sourceAccount,
      }),
    ],
    tags,
  });
  const topic = buildAlarmTopic(scope, { env: args.env, keyArn: key.arn, emails: args.emails });
  return { key, topic };
}
