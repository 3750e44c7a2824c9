import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../naming";
import { type BuilderScope, childOpts } from "../scope";
import type { QuotaServiceArgs } from "./args";

export interface CheckApi {
  readonly api: aws.apigatewayv2.Api;
  readonly checkUrl: pulumi.Output<string>;
}

// No Authorization header, no claims beyond the subject's email: enough to trace a decision.
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  time: "$context.requestTime",
  route: "$context.routeKey",
  status: "$context.status",
  latencyMs: "$context.responseLatency",
  sourceIp: "$context.identity.sourceIp",
  user: "$context.authorizer.claims.email",
  iamUser: "$context.identity.userArn",
  authError: "$context.authorizer.error",
  integrationError: "$context.integrationErrorMessage",
});

/** `GET /check` on an HTTP API: JWT- or IAM-authorised, throttled, access-logged with the stage key. */
export function buildCheckApi(scope: BuilderScope, args: QuotaServiceArgs, checkFunction: aws.lambda.Function): CheckApi {
  const { name, tags } = scope;
  const apiName = physicalName("lambda", [args.namePrefix, "quota-api"]);
  const api = new aws.apigatewayv2.Api(
    `${name}-api`,
    { name: apiName, protocolType: "HTTP", description: "Claude Code quota check (GET /check)", tags },
    childOpts(scope),
  );
  const accessLogs = new aws.cloudwatch.LogGroup(
    `${name}-api-access-logs`,
    { name: `/aws/apigateway/${apiName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn, tags },
    childOpts(scope),
  );
  const integration = new aws.apigatewayv2.Integration(
    `${name}-api-check`,
    {
      apiId: api.id,
      integrationType: "AWS_PROXY",
      integrationUri: checkFunction.arn,
      integrationMethod: "POST",
      payloadFormatVersion: "2.0",
      timeoutMilliseconds: 10000,
    },
    childOpts(scope),
  );
  const authorizer =
    args.checkApi.authorization === "jwt"
      ? new aws.apigatewayv2.Authorizer(
          `${name}-api-jwt`,
          {
            apiId: api.id,
            authorizerType: "JWT",
            name: "oidc-id-token",
            identitySources: ["$request.header.Authorization"],
            jwtConfiguration: { issuer: args.checkApi.issuerUrl!, audiences: [...args.checkApi.audiences!] },
          },
          childOpts(scope),
        )
      : undefined;
  // One route for either authorisation type (two routes with the same key conflict on update).
  const route = new aws.apigatewayv2.Route(
    `${name}-api-check`,
    {
      apiId: api.id,
      routeKey: "GET /check",
      target: pulumi.interpolate`integrations/${integration.id}`,
      authorizationType: authorizer ? "JWT" : "AWS_IAM",
      ...(authorizer ? { authorizerId: authorizer.id } : {}),
    },
    childOpts(scope),
  );
  new aws.apigatewayv2.Stage(
    `${name}-api-stage`,
    {
      apiId: api.id,
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: args.checkApi.throttle.rateLimit,
        throttlingBurstLimit: args.checkApi.throttle.burstLimit,
        detailedMetricsEnabled: true,
      },
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      tags,
    },
    childOpts(scope, { dependsOn: [route] }),
  );
  new aws.lambda.Permission(
    `${name}-api-invoke`,
    { action: "lambda:InvokeFunction", function: checkFunction.name, principal: "apigateway.amazonaws.com", sourceArn: checkRouteArn(api) },
    childOpts(scope),
  );
  return { api, checkUrl: pulumi.interpolate`${api.apiEndpoint}/check` };
}

/** The execute-api ARN of the check route (invoke permission and the IAM grant). */
export const checkRouteArn = (api: aws.apigatewayv2.Api): pulumi.Output<string> => pulumi.interpolate`${api.executionArn}/*/GET/check`;
