import {
  ANALYTICS_PRICING_CATALOG_KEY,
  ANALYTICS_PRICING_PREFIX,
  PRICE_BOOK_ITEM_KEY,
  PRICE_SOURCE_ENV,
  QUOTA_ENV as Q,
  QUOTA_METRICS,
  QUOTA_METRICS_NAMESPACE,
  RECONCILE_ENV,
} from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, policyDocument, renderPolicy, type Statement } from "../iam";
import { type BuilderScope, childOpts } from "../scope";
import { pricingJson } from "./aggregate-function";
import { ownMetric, quotaAlarm } from "./alarms";
import { type FunctionContext, kmsViaServices, quotaFunction } from "./functions";
import {
  ANALYTICS_KMS_S3_ACTIONS,
  ANALYTICS_PRICING_CATALOG_READ_ACTIONS,
  ANALYTICS_PRICING_WRITE_ACTIONS,
  KMS_USE_ACTIONS,
  PRICE_BOOK_WRITE_ACTIONS,
  PRICE_LIST_READ_ACTIONS,
  PRICE_LIST_SID,
  PUT_METRIC_ACTIONS,
} from "./perms";

/** Both cost functions publish to the quota namespace only. */
const ownMetrics = (): Statement =>
  allow(PUT_METRIC_ACTIONS, ["*"], {
    sid: "PublishOwnMetrics",
    conditions: { StringEquals: { "cloudwatch:namespace": QUOTA_METRICS_NAMESPACE } },
  });

/**
 * A function run on a schedule, one run at a time, no Lambda retries (the next run repeats the work);
 * `provider` when the function is in another account of the stage (the rule must be beside it).
 */
function schedule(
  scope: BuilderScope,
  fn: aws.lambda.Function,
  job: { readonly role: string; readonly expression: string; readonly description: string },
  provider?: pulumi.ProviderResource,
): void {
  const opts = () => childOpts(scope, provider ? { provider } : {});
  const { role } = job;
  const rule = new aws.cloudwatch.EventRule(
    `${scope.name}-${role}-schedule`,
    { description: job.description, scheduleExpression: job.expression, tags: scope.tags },
    opts(),
  );
  new aws.cloudwatch.EventTarget(
    `${scope.name}-${role}-schedule`,
    { rule: rule.name, arn: fn.arn, retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 2 } },
    opts(),
  );
  new aws.lambda.FunctionEventInvokeConfig(
    `${scope.name}-${role}-invoke-config`,
    { functionName: fn.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 3600 },
    opts(),
  );
  new aws.lambda.Permission(
    `${scope.name}-${role}-schedule-invoke`,
    { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
    opts(),
  );
}

/**
 * The price source: reads the Bedrock list prices of the stage's Region from the AWS Price List and
 * stores the price book as one usage-table item, which the aggregation reads every run.
 */
export function buildPriceSource(scope: BuilderScope, ctx: FunctionContext): aws.lambda.Function | undefined {
  const src = ctx.args.priceSource;
  if (!src) return undefined;
  const fn = priceFunction(scope, ctx, src);
  schedule(scope, fn, { role: "prices", expression: src.schedule, description: "Quota price book from the AWS Price List" });
  const a = src.analyticsPricing;
  if (a) {
    // Its own policy, not the function's: the analytics key's policy names this role, so the grant
    // must come after the role, and the function must not wait for the analytics key.
    new aws.iam.RolePolicy(
      `${scope.name}-prices-analytics-pricing`,
      {
        role: roleNameOf(fn),
        policy: renderPolicy(
          policyDocument(
            allow(ANALYTICS_PRICING_WRITE_ACTIONS, [pulumi.interpolate`${a.bucketArn}/${ANALYTICS_PRICING_PREFIX}*`], {
              sid: "WriteAnalyticsPricing",
            }),
            allow(ANALYTICS_PRICING_CATALOG_READ_ACTIONS, [pulumi.interpolate`${a.bucketArn}/${ANALYTICS_PRICING_CATALOG_KEY}`], {
              sid: "ReadAnalyticsPricingCatalog",
            }),
            allow(ANALYTICS_KMS_S3_ACTIONS, [a.keyArn], {
              sid: "UseAnalyticsKeyThroughS3",
              conditions: { StringEquals: { "kms:ViaService": `s3.${a.region}.amazonaws.com` } },
            }),
          ),
        ),
      },
      childOpts(scope),
    );
  }
  return fn;
}

function priceFunction(
  scope: BuilderScope,
  ctx: FunctionContext,
  src: NonNullable<FunctionContext["args"]["priceSource"]>,
): aws.lambda.Function {
  return quotaFunction(scope, ctx, {
    role: "prices",
    code: src.code,
    description: "Daily: Bedrock prices from the AWS Price List into the quota price book",
    timeout: 120,
    memorySize: 256,
    reservedConcurrency: 1,
    environment: {
      [Q.usageTable]: ctx.usageTable.name,
      [Q.stage]: ctx.args.stage,
      [Q.metricsNamespace]: QUOTA_METRICS_NAMESPACE,
      [Q.pricing]: pricingJson(ctx.args),
      [PRICE_SOURCE_ENV.priceRegion]: src.region,
      [PRICE_SOURCE_ENV.models]: JSON.stringify(src.models),
      ...(src.analyticsPricing ? { [PRICE_SOURCE_ENV.analyticsBucket]: src.analyticsPricing.bucketName } : {}),
      NODE_OPTIONS: "--enable-source-maps",
    },
    statements: [
      allow(PRICE_LIST_READ_ACTIONS, ["*"], { sid: PRICE_LIST_SID }),
      allow(PRICE_BOOK_WRITE_ACTIONS, [ctx.usageTable.arn], {
        sid: "StorePriceBook",
        conditions: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [PRICE_BOOK_ITEM_KEY.pk] } },
      }),
      allow(KMS_USE_ACTIONS, [ctx.args.kmsKeyArn], { sid: "UseStageKey", conditions: kmsViaServices(ctx.env) }),
      ownMetrics(),
    ],
  });
}

/** The daily reconciliation, its billed-drift alarm and that alarm's ARN (the stage dashboard lists it). */
export interface Reconciliation {
  readonly fn: aws.lambda.Function;
  readonly alarm: aws.cloudwatch.MetricAlarm;
  readonly alarmArn: pulumi.Output<string>;
}

/**
 * The daily reconciliation: runs the reconciliation named queries and publishes the largest drift.
 * Its Athena, Glue and S3 permissions come from the analytics grants (composition), not from here.
 * It runs where the workgroup is (`reconciliation.account`, else this component's account), and so do
 * its metric and the billed-drift alarm, which notifies a topic of that account.
 */
export function buildReconciliation(scope: BuilderScope, ctx: FunctionContext): Reconciliation | undefined {
  const r = ctx.args.reconciliation;
  if (!r) return undefined;
  const acct = r.account;
  const fn = quotaFunction(scope, ctx, {
    role: "reconcile",
    code: r.code,
    description: "Daily: estimate vs bill per developer and team; publishes the largest drift",
    timeout: 600,
    memorySize: 256,
    reservedConcurrency: 1,
    environment: {
      [Q.stage]: ctx.args.stage,
      [Q.metricsNamespace]: QUOTA_METRICS_NAMESPACE,
      [RECONCILE_ENV.workgroup]: r.workgroupName,
      [RECONCILE_ENV.thresholdPercent]: String(r.thresholdPercent),
      [RECONCILE_ENV.minUsd]: String(r.minUsd),
      NODE_OPTIONS: "--enable-source-maps",
    },
    statements: [ownMetrics()],
    ...(acct ? { account: acct } : {}),
  });
  schedule(
    scope,
    fn,
    { role: "reconcile", expression: r.schedule, description: "Reconciliation of estimated and billed cost" },
    acct?.provider,
  );
  // Estimate (telemetry) against the bill (CUR), per developer/team and settled day.
  const alarm = quotaAlarm(
    scope,
    ctx.args,
    {
      key: "billed-drift-alarm",
      description: `Estimated and billed Bedrock cost of at least one developer or team and settled day differ by more than ${r.thresholdPercent}%: missing telemetry, a wrong price or usage outside the helper. Run \`npm run quota -- reconcile --threshold ${r.thresholdPercent}\` for the rows.`,
      spec: {
        ...ownMetric(ctx.args, QUOTA_METRICS.billedDriftPercentMax),
        period: 86_400,
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: r.thresholdPercent,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      },
    },
    acct,
  );
  const { env } = ctx;
  const accountId = acct ? pulumi.output(acct.accountId) : env.accountId;
  const alarmArn = pulumi.interpolate`arn:${env.partition}:cloudwatch:${env.region}:${accountId}:alarm:${alarm.name}`;
  return { fn, alarm, alarmArn };
}

/** The role name of a function's execution role, for grants from other components. */
export const roleNameOf = (fn: aws.lambda.Function): pulumi.Output<string> => fn.role.apply((a) => a.slice(a.lastIndexOf("/") + 1));
