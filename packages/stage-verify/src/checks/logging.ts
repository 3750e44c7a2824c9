import { GetModelInvocationLoggingConfigurationCommand } from "@aws-sdk/client-bedrock";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { ok, fail, errText, missingOutput, type CheckResult, type VerifyContext } from "./context";

/** Inference: model invocation logging points at this stage's log group and bucket, both present. */

/** The account's invocation logging configuration is this stage's. */
export async function invocationLoggingChecks(ctx: VerifyContext): Promise<CheckResult[]> {
  const { s, c } = ctx;
  const check = "invocation-logging";
  if (!s.invocationLogGroup || !s.invocationLogBucket)
    return [missingOutput(check, !s.invocationLogGroup ? "invocationLogGroup" : "invocationLogBucket")];
  const cfgRes = (await c.bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}))).loggingConfig;
  if (!cfgRes)
    return [
      fail(
        check,
        `model invocation logging is off in ${s.region}`,
        "run `pulumi up` (inference.invocationLogging.enabled: true) — without it quotas cannot meter invocation logs and nobody can audit usage",
      ),
    ];
  const bucket = cfgRes.s3Config?.bucketName;
  const group = cfgRes.cloudWatchConfig?.logGroupName;
  const out: CheckResult[] = [];
  // The configuration is one per account and Region: another stack (or a console edit) pointing it elsewhere takes it over.
  out.push(
    bucket === s.invocationLogBucket && group === s.invocationLogGroup
      ? ok(check, `on, to s3://${bucket} and ${group}`)
      : fail(
          check,
          `the account's logging configuration points at ${bucket ? `s3://${bucket}` : "no bucket"} and ${group ?? "no log group"}, not this stage's s3://${s.invocationLogBucket} and ${s.invocationLogGroup}: another stack or a console edit owns it`,
          "the setting is one per account and Region: deploy only one stage per inference account and Region with invocationLogging.enabled, then `pulumi up` this stage",
        ),
  );
  const groups = await c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: s.invocationLogGroup }));
  out.push(
    groups.logGroups?.some((g) => g.logGroupName === s.invocationLogGroup)
      ? ok(`${check} log group`, `${s.invocationLogGroup} exists`)
      : fail(
          `${check} log group`,
          `log group ${s.invocationLogGroup} does not exist`,
          "run `pulumi refresh` then `pulumi up` to recreate it",
        ),
  );
  try {
    await c.s3.send(new HeadBucketCommand({ Bucket: s.invocationLogBucket }));
    out.push(ok(`${check} bucket`, `s3://${s.invocationLogBucket} exists`));
  } catch (e) {
    out.push(
      fail(
        `${check} bucket`,
        `s3://${s.invocationLogBucket}: ${errText(e)}`,
        "run `pulumi refresh` then `pulumi up` to recreate the bucket",
      ),
    );
  }
  return out;
}
