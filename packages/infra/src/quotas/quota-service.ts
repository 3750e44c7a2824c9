import { QUOTA_METRICS_NAMESPACE } from "@ccb/contracts";
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsEnvironment, type AwsEnvironment } from "../iam";
import type { BuilderScope } from "../scope";
import { buildAggregateFunction } from "./aggregate-function";
import { buildAlarms } from "./alarms";
import type { QuotaServiceArgs } from "./args";
import { buildBlockPolicies } from "./block-policies";
import { buildCheckApi } from "./check-api";
import { buildPriceSource, buildReconciliation, type Reconciliation, roleNameOf } from "./cost-functions";
import { buildCheckFunction, defaultLimitsJson, type FunctionContext } from "./functions";
import { quotaGrants, type QuotaGrants } from "./grants";
import { buildRateLimiter } from "./rate-limits";
import { buildAlertTopic, buildTables } from "./tables";
import { validateQuotaServiceArgs } from "./validate";

// Names and the block-policy document are the contract with the quota functions (@ccb/contracts).
export const METRICS_NAMESPACE = QUOTA_METRICS_NAMESPACE;

/**
 * Per-user and per-group usage limits for Claude Code on Bedrock: limits and usage tables, the
 * 15-minute aggregation over two records of usage (client telemetry and Bedrock invocation logs),
 * alerts by email, the `GET /check` API the credential helper asks before STS, and deny policies on
 * the user role for users over a blocking limit.
 */
export class QuotaService extends pulumi.ComponentResource {
  readonly env: AwsEnvironment;
  readonly limitsTable: aws.dynamodb.Table;
  readonly usageTable: aws.dynamodb.Table;
  readonly topic: aws.sns.Topic;
  readonly aggregateFunction: aws.lambda.Function;
  readonly checkFunction: aws.lambda.Function;
  readonly api: aws.apigatewayv2.Api;
  readonly checkUrl: pulumi.Output<string>;
  readonly blockPolicyArns: pulumi.Output<string>[];
  /** The deny policies themselves (their names, for a permission set's customer managed references). */
  readonly blockPolicies: aws.iam.Policy[];
  readonly alarmNames: pulumi.Output<string>[];
  /** Every alarm of the service by ARN (the stage dashboard lists them; ARNs, unlike auto-generated names, are known in a preview). */
  readonly alarmArns: pulumi.Output<string>[];
  readonly grants: QuotaGrants;
  /** Per-developer rate limits, when `rateLimits` is given. */
  readonly rateFunction?: aws.lambda.Function;
  readonly rateBlockPolicyArns: pulumi.Output<string>[] = [];
  /** The daily Price List reader, when `priceSource` is given. */
  readonly priceFunction?: aws.lambda.Function;
  /** Its role's ARN: the analytics pipeline's `priceWriter` names it in another account's policies. */
  readonly priceRoleArn?: pulumi.Output<string>;
  /** The daily reconciliation, when `reconciliation` is given; grant its role (`reconcileRoleName`) the analytics reads. */
  readonly reconcileFunction?: aws.lambda.Function;
  readonly reconcileRoleName?: pulumi.Output<string>;

  constructor(name: string, args: QuotaServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:quotas:QuotaService", name, {}, opts);
    const problems = validateQuotaServiceArgs(args);
    if (problems.length) throw new Error(`QuotaService ${name}: ${problems.join("; ")}`);
    const scope: BuilderScope = { name, parent: this, tags: { ...(args.tags ?? {}), component: "quotas" } };
    this.env = awsEnvironment(this);

    const { limitsTable, usageTable } = buildTables(scope, args);
    this.limitsTable = limitsTable;
    this.usageTable = usageTable;
    this.topic = buildAlertTopic(scope, args);
    this.blockPolicies = buildBlockPolicies(scope, args);
    this.blockPolicyArns = this.blockPolicies.map((p) => p.arn);

    const ctx: FunctionContext = { args, env: this.env, limitsTable, usageTable };
    this.aggregateFunction = buildAggregateFunction(scope, ctx, {
      topic: this.topic,
      blockPolicyArns: this.blockPolicyArns,
    });
    this.checkFunction = buildCheckFunction(scope, ctx);
    const rate = args.rateLimits ? buildRateLimiter(scope, ctx, { topic: this.topic, rate: args.rateLimits }) : undefined;
    if (rate) ({ rateFunction: this.rateFunction, rateBlockPolicyArns: this.rateBlockPolicyArns } = rate);
    this.priceFunction = buildPriceSource(scope, ctx);
    if (this.priceFunction) this.priceRoleArn = this.priceFunction.role;
    const reconciliation = buildReconciliation(scope, ctx);
    if (reconciliation) {
      this.reconcileFunction = reconciliation.fn;
      this.reconcileRoleName = roleNameOf(reconciliation.fn);
    }
    const checkApi = buildCheckApi(scope, args, this.checkFunction);
    this.api = checkApi.api;
    this.checkUrl = checkApi.checkUrl;
    const alarms = buildAlarms(scope, args, { aggregateFunction: this.aggregateFunction, api: this.api });
    this.alarmNames = [...alarms, ...(reconciliation ? [reconciliation.alarm] : [])].map((a) => a.name);
    this.alarmArns = alarmArnsOf(this.env, [...alarms, ...(rate ? [rate.errorsAlarm] : [])], reconciliation);
    this.grants = quotaGrants(this, name, {
      env: this.env,
      kmsKeyArn: args.kmsKeyArn,
      limitsTable,
      usageTable,
      api: this.api,
    });

    this.registerOutputs({
      checkUrl: this.checkUrl,
      limitsTableName: this.limitsTable.name,
      usageTableName: this.usageTable.name,
      topicArn: this.topic.arn,
      aggregateFunctionName: this.aggregateFunction.name,
      checkFunctionName: this.checkFunction.name,
      blockPolicyArns: this.blockPolicyArns,
      defaultLimits: defaultLimitsJson(args.defaults),
      rateBlockPolicyArns: this.rateBlockPolicyArns,
    });
  }
}

/** The service's alarms by ARN; the billed-drift alarm may be in the analytics account, and its ARN names that account. */
function alarmArnsOf(
  env: AwsEnvironment,
  own: readonly aws.cloudwatch.MetricAlarm[],
  reconciliation: Reconciliation | undefined,
): pulumi.Output<string>[] {
  return [
    ...own.map((a) => pulumi.interpolate`arn:${env.partition}:cloudwatch:${env.region}:${env.accountId}:alarm:${a.name}`),
    ...(reconciliation ? [reconciliation.alarmArn] : []),
  ];
}
