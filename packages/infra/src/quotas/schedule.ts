import * as aws from "@pulumi/aws";
import { type BuilderScope, childOpts } from "../scope";

/** Every 15 minutes, one run at a time, no Lambda retries (the next run resumes from the watermarks). */
export function buildSchedule(scope: BuilderScope, aggregate: aws.lambda.Function): void {
  const { name, tags } = scope;
  const rule = new aws.cloudwatch.EventRule(
    `${name}-schedule`,
    { description: "Quota aggregation every 15 minutes", scheduleExpression: "rate(15 minutes)", tags },
    childOpts(scope),
  );
  new aws.cloudwatch.EventTarget(
    `${name}-schedule`,
    { rule: rule.name, arn: aggregate.arn, retryPolicy: { maximumEventAgeInSeconds: 600, maximumRetryAttempts: 2 } },
    childOpts(scope),
  );
  // A failed run is not retried by Lambda's async retries: the next scheduled run resumes from the
  // watermarks anyway, and extra runs would only add load.
  new aws.lambda.FunctionEventInvokeConfig(
    `${name}-aggregate-invoke-config`,
    { functionName: aggregate.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 900 },
    childOpts(scope),
  );
  new aws.lambda.Permission(
    `${name}-schedule-invoke`,
    { action: "lambda:InvokeFunction", function: aggregate.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
    childOpts(scope),
  );
}
