import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, type Statement } from "../../iam";
import { physicalName } from "../../naming";
import { childOpts, type BuilderScope } from "../../scope";
import { TOKEN_INVOKE_ACTIONS } from "../perms";
import type { TokenEndpointArgs } from "./args";

const apiName = (namePrefix: string): string => physicalName("lambda", [namePrefix, "telemetry-token-api"]);

/** The HTTP API; its endpoint is the issuer, so the function (which stamps `iss`) is created after it. */
export function buildTokenApi(scope: BuilderScope, args: TokenEndpointArgs): aws.apigatewayv2.Api {
  return new aws.apigatewayv2.Api(
    `${scope.name}-api`,
    {
      name: apiName(args.namePrefix),
      protocolType: "HTTP",
      description: "Collector tokens for IAM callers (GET /token, SigV4) and their JWKS",
      tags: scope.tags,
    },
    childOpts(scope),
  );
}

/**
 * The JWKS and discovery routes: public by necessity (the verifiers have no AWS credentials), read-only,
 * no secret: they serve a public key and the issuer's metadata.
 */
function publishDiscoveryRoutes(scope: BuilderScope, api: aws.apigatewayv2.Api, target: pulumi.Output<string>): aws.apigatewayv2.Route[] {
  const parent = childOpts(scope);
  return [
    new aws.apigatewayv2.Route(
      `${scope.name}-jwks`,
      { apiId: api.id, routeKey: "GET /.well-known/jwks.json", target, authorizationType: "NONE" },
      parent,
    ),
    new aws.apigatewayv2.Route(
      `${scope.name}-discovery`,
      { apiId: api.id, routeKey: "GET /.well-known/openid-configuration", target, authorizationType: "NONE" },
      parent,
    ),
  ];
}

/** One line per request, as JSON: who called which route and how it went. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  time: "$context.requestTime",
  route: "$context.routeKey",
  status: "$context.status",
  latencyMs: "$context.responseLatency",
  sourceIp: "$context.identity.sourceIp",
  iamUser: "$context.identity.userArn",
  integrationError: "$context.integrationErrorMessage",
});

/** Access logs of the API: encrypted, kept as long as the stage's other logs. */
function buildAccessLogs(scope: BuilderScope, args: TokenEndpointArgs): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(
    `${scope.name}-api-access-logs`,
    {
      name: `/aws/apigateway/${apiName(args.namePrefix)}`,
      retentionInDays: args.logRetentionDays,
      kmsKeyId: args.logKmsKeyArn,
      tags: scope.tags,
    },
    childOpts(scope),
  );
}

/** The API's one stage, throttled; deployed once every route exists. */
function buildStage(
  scope: BuilderScope,
  args: TokenEndpointArgs,
  api: aws.apigatewayv2.Api,
  routes: aws.apigatewayv2.Route[],
  accessLogs: aws.cloudwatch.LogGroup,
): aws.apigatewayv2.Stage {
  return new aws.apigatewayv2.Stage(
    `${scope.name}-api-stage`,
    {
      apiId: api.id,
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: args.throttle?.rateLimit ?? 50,
        throttlingBurstLimit: args.throttle?.burstLimit ?? 100,
        detailedMetricsEnabled: true,
      },
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      tags: scope.tags,
    },
    childOpts(scope, { dependsOn: routes }),
  );
}

export interface TokenRoutesInputs {
  readonly args: TokenEndpointArgs;
  readonly api: aws.apigatewayv2.Api;
  readonly fn: aws.lambda.Function;
}

/** Every route to the function (`GET /token` IAM-authorised, the discovery routes public), the stage and API Gateway's invoke permission. */
export function buildTokenRoutes(scope: BuilderScope, { args, api, fn }: TokenRoutesInputs): void {
  const { name } = scope;
  const parent = childOpts(scope);
  const accessLogs = buildAccessLogs(scope, args);
  const integration = new aws.apigatewayv2.Integration(
    `${name}-integration`,
    {
      apiId: api.id,
      integrationType: "AWS_PROXY",
      integrationUri: fn.arn,
      integrationMethod: "POST",
      payloadFormatVersion: "2.0",
      timeoutMilliseconds: 10000,
    },
    parent,
  );
  const target = pulumi.interpolate`integrations/${integration.id}`;
  const routes = [
    new aws.apigatewayv2.Route(`${name}-token`, { apiId: api.id, routeKey: "GET /token", target, authorizationType: "AWS_IAM" }, parent),
    ...publishDiscoveryRoutes(scope, api, target),
  ];
  buildStage(scope, args, api, routes, accessLogs);
  new aws.lambda.Permission(
    `${name}-api-invoke`,
    {
      action: "lambda:InvokeFunction",
      function: fn.name,
      principal: "apigateway.amazonaws.com",
      sourceArn: pulumi.interpolate`${api.executionArn}/*/GET/*`,
    },
    parent,
  );
}

/** What a caller's identity policy needs (the IdC permission set, a workload role): invoke `GET /token` only. */
export function tokenInvokeStatements(api: aws.apigatewayv2.Api): Statement[] {
  return [allow(TOKEN_INVOKE_ACTIONS, [pulumi.interpolate`${api.executionArn}/*/GET/token`], { sid: "GetTelemetryToken" })];
}
