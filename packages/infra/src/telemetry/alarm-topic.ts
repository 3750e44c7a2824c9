import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildAlarmTopic } from "../alarm-topic";
import type { AwsEnvironment } from "../iam";
import type { BuilderScope } from "../scope";

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
  const { env } = args;
  return buildAlarmTopic(scope, {
    env,
    keyArn: args.keyArn,
    emails: args.emails,
    // The stage's alarms only (their explicit names start with the stage's prefix).
    alarmArnLike: pulumi.interpolate`arn:${env.partition}:cloudwatch:${env.region}:${env.accountId}:alarm:${args.namePrefix}-*`,
  });
}
