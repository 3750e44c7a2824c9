import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, denyInsecureTransport, policyDocument, renderPolicy, type AwsEnvironment, type Statement } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import { ALARM_PUBLISH_ACTIONS, KMS_ALARM_ENCRYPT_ACTIONS } from "./perms";

/*
 * Why a topic of its own: in the multi-account layout the stage's alarm topic is in the inference account
 * and these alarms are in the telemetry account (their metrics, the ALB's and the aggregator's, are there).
 * AWS documents the alarm-to-SNS grant only for a topic in the alarm's own account (the topic policy names
 * the service principal `cloudwatch.amazonaws.com` with the alarm's account as `aws:SourceAccount`); it
 * documents no cross-account SNS alarm action, and the console says of one that it "cannot verify whether
 * the action is correctly configured". A topic beside the alarms, encrypted and subscribed by the same
 * addresses as the stage topic, is the documented path, and a deny-by-mistake in another account's
 * policies cannot silence collector-health alarms.
 */

/** The key statement letting CloudWatch alarms of this account publish to a topic encrypted with the telemetry key. */
export function alarmTopicKeyStatement(env: AwsEnvironment): Statement {
  return allow(KMS_ALARM_ENCRYPT_ACTIONS, ["*"], {
    sid: "AlarmsPublishToEncryptedTopic",
    principal: { Service: "cloudwatch.amazonaws.com" },
    conditions: { StringEquals: { "aws:SourceAccount": env.accountId } },
  });
}

export interface LocalAlarmTopicInputs {
  readonly namePrefix: string;
  readonly env: AwsEnvironment;
  readonly keyArn: pulumi.Input<string>;
  readonly emails: readonly string[];
}

/**
 * The component's own encrypted alarm topic (stages whose alarm topic is in another account); only this
 * account's alarms of this stage may publish (`aws:SourceAccount` and `aws:SourceArn`).
 */
export function buildLocalAlarmTopic(scope: BuilderScope, args: LocalAlarmTopicInputs): aws.sns.Topic {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const { env } = args;
  const topic = new aws.sns.Topic(`${name}-alarms`, { kmsMasterKeyId: args.keyArn, tags }, parent);
  new aws.sns.TopicPolicy(
    `${name}-alarms-policy`,
    {
      arn: topic.arn,
      policy: renderPolicy(
        policyDocument(
          allow(ALARM_PUBLISH_ACTIONS, [topic.arn], {
            sid: "CloudWatchAlarmsPublish",
            principal: { Service: "cloudwatch.amazonaws.com" },
            conditions: {
              StringEquals: { "aws:SourceAccount": env.accountId },
              // The stage's alarms only (their explicit names start with the stage's prefix).
              ArnLike: {
                "aws:SourceArn": pulumi.interpolate`arn:${env.partition}:cloudwatch:${env.region}:${env.accountId}:alarm:${args.namePrefix}-*`,
              },
            },
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
