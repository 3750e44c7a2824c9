import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { allow, denyInsecureTransport, policyDocument, renderPolicy, type AwsEnvironment, type Statement } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import { ALARM_PUBLISH_ACTIONS, KMS_ALARM_ENCRYPT_ACTIONS } from "./perms";

/*
 * AWS documents the alarm-to-SNS grant for a topic in the alarm's own account only: the topic policy names
 * the service principal `cloudwatch.amazonaws.com` with the alarm's account as `aws:SourceAccount`. So every
 * account whose alarms notify has a topic like this one, encrypted and TLS-only.
 */

/** The key statement letting CloudWatch alarms of this account publish to a topic encrypted with the key. */
export function alarmTopicKeyStatement(env: AwsEnvironment): Statement {
  return allow(KMS_ALARM_ENCRYPT_ACTIONS, ["*"], {
    sid: "AlarmsPublishToEncryptedTopic",
    principal: { Service: "cloudwatch.amazonaws.com" },
    conditions: { StringEquals: { "aws:SourceAccount": env.accountId } },
  });
}

export interface AlarmTopicInputs {
  readonly env: AwsEnvironment;
  readonly keyArn: pulumi.Input<string>;
  readonly emails: readonly string[];
  /** Narrows the publishers to the alarms whose ARN matches (`aws:SourceArn`), beyond the account. */
  readonly alarmArnLike?: pulumi.Input<string>;
}

/** `<name>-alarms`: an encrypted, TLS-only topic this account's CloudWatch alarms publish to, one email subscription per address. */
export function buildAlarmTopic(scope: BuilderScope, args: AlarmTopicInputs): aws.sns.Topic {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const topic = new aws.sns.Topic(`${name}-alarms`, { kmsMasterKeyId: args.keyArn, tags }, parent);
  const conditions = {
    StringEquals: { "aws:SourceAccount": args.env.accountId },
    ...(args.alarmArnLike === undefined ? {} : { ArnLike: { "aws:SourceArn": args.alarmArnLike } }),
  };
  new aws.sns.TopicPolicy(
    `${name}-alarms-policy`,
    {
      arn: topic.arn,
      policy: renderPolicy(
        policyDocument(
          allow(ALARM_PUBLISH_ACTIONS, [topic.arn], {
            sid: "CloudWatchAlarmsPublish",
            principal: { Service: "cloudwatch.amazonaws.com" },
            conditions,
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
  return topic;
}
