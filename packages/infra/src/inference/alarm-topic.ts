import * as aws from "@pulumi/aws";
import { allow, denyInsecureTransport, policyDocument, renderPolicy, type AwsEnvironment } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import { customerKey } from "../storage";
import { ALARM_PUBLISH_ACTIONS, KMS_SERVICE_ENCRYPT_ACTIONS } from "./perms";

export interface KeyAndTopicInputs {
  readonly namePrefix: string;
  readonly env: AwsEnvironment;
  readonly emails: readonly string[];
}

/** The inference key (invocation logs, alarm topic) and the stage's encrypted alarm topic with its email subscriptions. */
export function buildKeyAndTopic(scope: BuilderScope, args: KeyAndTopicInputs): { key: aws.kms.Key; topic: aws.sns.Topic } {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const sourceAccount = { StringEquals: { "aws:SourceAccount": args.env.accountId } };
  const key = customerKey(scope.parent, name, args.env, {
    description: `${args.namePrefix}: invocation logs, alarm topic`,
    alias: `${args.namePrefix}-inference`,
    logGroups: "*",
    statements: [
      allow(KMS_SERVICE_ENCRYPT_ACTIONS, ["*"], {
        sid: "AlarmsPublishToEncryptedTopic",
        principal: { Service: "cloudwatch.amazonaws.com" },
        conditions: sourceAccount,
      }),
      allow(KMS_SERVICE_ENCRYPT_ACTIONS, ["*"], {
        sid: "BedrockWritesLogs",
        principal: { Service: "bedrock.amazonaws.com" },
        conditions: sourceAccount,
      }),
    ],
    tags,
  });
  const topic = new aws.sns.Topic(`${name}-alarms`, { kmsMasterKeyId: key.arn, tags }, parent);
  new aws.sns.TopicPolicy(
    `${name}-alarms-policy`,
    {
      arn: topic.arn,
      policy: renderPolicy(
        policyDocument(
          allow(ALARM_PUBLISH_ACTIONS, [topic.arn], {
            sid: "CloudWatchAlarmsPublish",
            principal: { Service: "cloudwatch.amazonaws.com" },
            conditions: sourceAccount,
          }),
          denyInsecureTransport("sns", [topic.arn]),
        ),
      ),
    },
    parent,
  );
  args.emails.forEach((email, i) => {
    new aws.sns.TopicSubscription(`${name}-alarms-email-${i}`, { topic: topic.arn, protocol: "email", endpoint: email }, parent);
  });
  return { key, topic };
}
