import { TELEMETRY_AGGREGATOR_ENV as AGG_ENV, type TelemetryAggregatorNames } from "@ccb/contracts";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, policyDocument, renderPolicy, serviceTrustStatement, type AwsEnvironment } from "../iam";
import { KNOWN_MODELS } from "../inference/models";
import { childOpts, type BuilderScope } from "../scope";
import type { TelemetryServiceArgs } from "./args";
import { AGG, AGG_DIM, ATTR, CC, TOOL_CATEGORIES, type TokenType } from "./metrics";
import * as perms from "./perms";
import { telemetryPriceBook } from "./price-book";
import type { TelemetryStores } from "./stores";

export interface AggregatorInputs {
  readonly aggregator: TelemetryServiceArgs["aggregator"];
  readonly everyMinutes: number;
  readonly prices?: TelemetryServiceArgs["prices"];
  readonly modelAliases?: TelemetryServiceArgs["modelAliases"];
  readonly aggregatesNamespace: string;
  readonly env: AwsEnvironment;
  readonly stores: TelemetryStores;
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

/** Every name the function reads or writes, from the one catalog (metrics.ts). */
const AGGREGATOR_NAMES: TelemetryAggregatorNames = {
  metrics: AGG,
  dims: AGG_DIM,
  attrs: { email: ATTR.email, model: ATTR.model, type: ATTR.type, toolName: ATTR.toolName, decision: ATTR.decision },
  cc: { tokens: CC.tokens, linesOfCode: CC.linesOfCode, activeTime: CC.activeTime },
  tokenTypes: { input: "input", output: "output", cacheRead: "cacheRead", cacheCreation: "cacheCreation" } satisfies Record<
    TokenType,
    TokenType
  >,
};

/** The aggregation function's role: Logs Insights over the collector's groups, metrics in its namespace only. */
function buildAggregatorRole(scope: BuilderScope, args: AggregatorInputs, aggLogs: aws.cloudwatch.LogGroup) {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const role = new aws.iam.Role(
    `${name}-aggregator-role`,
    {
      description: "Claude Code telemetry aggregation: Logs Insights over the collector's groups, custom metrics",
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("lambda.amazonaws.com", args.env.accountId))),
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    },
    parent,
  );
  const queryGroups = [args.stores.metricsLogs, ...(args.stores.eventsLogs ? [args.stores.eventsLogs] : [])];
  const policy = new aws.iam.RolePolicy(
    `${name}-aggregator-policy`,
    {
      role: role.name,
      policy: renderPolicy(
        policyDocument(
          allow(
            perms.INSIGHTS_START_ACTIONS,
            queryGroups.flatMap((g) => [g.arn, pulumi.interpolate`${g.arn}:*`]),
            { sid: "QueryTelemetry" },
          ),
          allow(perms.INSIGHTS_READ_ACTIONS, ["*"], { sid: "ReadQueryResults" }),
          allow(perms.PUT_METRIC_ACTIONS, ["*"], {
            sid: "PublishAggregates",
            conditions: { StringEquals: { "cloudwatch:namespace": args.aggregatesNamespace } },
          }),
          allow(perms.FUNCTION_LOG_ACTIONS, [pulumi.interpolate`${aggLogs.arn}:*`], { sid: "OwnLogs" }),
        ),
      ),
    },
    parent,
  );
  return { role, policy };
}

/**
 * The scheduled aggregation: distinct active users, leaderboards, estimated cost, prompt-cache savings
 * and operations, the numbers CloudWatch metrics cannot compute.
 */
export function buildAggregator(scope: BuilderScope, args: AggregatorInputs): void {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const { stores } = args;
  const aggLogs = stores.logGroup("aggregator-logs", `${stores.logGroupPrefix}/aggregator`);
  const { role, policy } = buildAggregatorRole(scope, args, aggLogs);
  const prices = args.prices ?? Object.fromEntries(KNOWN_MODELS.map((m) => [m.id, m.price]));
  const aliases = args.modelAliases ?? [];
  const aliasIds = pulumi.all(aliases.map((a) => pulumi.output(a.id)));
  const pricesJson = aliasIds.apply((ids) =>
    JSON.stringify(
      telemetryPriceBook(
        prices,
        ids.map((id, i) => ({ id, baseModelId: aliases[i]!.baseModelId })),
      ),
    ),
  );
  const aggregator = new aws.lambda.Function(
    `${name}-aggregator`,
    {
      description: "Distinct active users, leaderboards, estimated cost, prompt-cache savings and operations for the Claude Code dashboard",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: args.aggregator.code.handler,
      code: args.aggregator.code.archive,
      role: role.arn,
      memorySize: 256,
      timeout: 600,
      loggingConfig: { logFormat: "JSON", logGroup: aggLogs.name },
      environment: {
        // The contract's variable names (@ccb/contracts), read by its parseTelemetryAggregatorEnv.
        variables: {
          [AGG_ENV.namespace]: args.aggregatesNamespace,
          [AGG_ENV.metricsLogGroup]: stores.metricsLogs.name,
          ...(stores.eventsLogs ? { [AGG_ENV.eventsLogGroup]: stores.eventsLogs.name } : {}),
          [AGG_ENV.leaderboardSize]: String(args.aggregator.leaderboardSize ?? 10),
          [AGG_ENV.prices]: pricesJson,
          [AGG_ENV.toolCategories]: JSON.stringify(TOOL_CATEGORIES),
          [AGG_ENV.everyMinutes]: String(args.everyMinutes),
          [AGG_ENV.names]: JSON.stringify(AGGREGATOR_NAMES),
        },
      },
      tags,
    },
    childOpts(scope, { dependsOn: [policy] }),
  );
  const rule = new aws.cloudwatch.EventRule(
    `${name}-aggregator-schedule`,
    { description: "Runs the telemetry aggregation", scheduleExpression: `rate(${args.everyMinutes} minutes)`, tags },
    parent,
  );
  const permission = new aws.lambda.Permission(
    `${name}-aggregator-invoke`,
    { action: perms.SCHEDULE_INVOKE_ACTION, function: aggregator.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
    parent,
  );
  new aws.cloudwatch.EventTarget(
    `${name}-aggregator-target`,
    { rule: rule.name, arn: aggregator.arn, retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 600 } },
    childOpts(scope, { dependsOn: [permission] }),
  );
}
