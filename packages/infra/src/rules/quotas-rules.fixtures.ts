import { doc, res, type RuleFixture } from "./fixtures";

const fn = (inputs: Record<string, unknown>) => res("aws:lambda/function:Function", "f", { name: "ccb-quota-check", ...inputs });
const group = (name: string, inputs: Record<string, unknown> = { retentionInDays: 30 }) =>
  res("aws:cloudwatch/logGroup:LogGroup", "lg", { name, ...inputs });
const stage = (inputs: Record<string, unknown>) => res("aws:apigatewayv2/stage:Stage", "s", { name: "$default", ...inputs });

/** One compliant and one non-compliant fixture per quotas rule. */
export const QUOTAS_FIXTURES: Record<string, RuleFixture> = {
  "iam-price-list-unscoped-only": {
    good: [
      res("aws:iam/rolePolicy:RolePolicy", "p", {
        policy: doc(
          { Sid: "PriceListHasNoResourceTypes", Effect: "Allow", Action: ["pricing:GetProducts"], Resource: "*" },
          {
            Sid: "StorePriceBook",
            Effect: "Allow",
            Action: ["dynamodb:PutItem"],
            Resource: "arn:aws:dynamodb:us-east-1:111111111111:table/usage",
          },
        ),
      }),
    ],
    // The accepted Sid smuggling another action, and Price List reads under another Sid.
    bad: [
      res("aws:iam/rolePolicy:RolePolicy", "p", {
        policy: doc(
          { Sid: "PriceListHasNoResourceTypes", Effect: "Allow", Action: ["pricing:GetProducts", "s3:GetObject"], Resource: "*" },
          { Sid: "Prices", Effect: "Allow", Action: ["pricing:GetProducts"], Resource: "*" },
        ),
      }),
    ],
    expect: /may hold only pricing:GetProducts, not s3:GetObject[\s\S]*Prices grants pricing:GetProducts outside/,
  },
  "apigw-route-authorized": {
    good: [
      res("aws:apigatewayv2/route:Route", "r", { routeKey: "GET /check", authorizationType: "JWT", authorizerId: "auth-id" }),
      res("aws:apigatewayv2/route:Route", "jwks", { routeKey: "GET /.well-known/jwks.json", authorizationType: "NONE" }),
    ],
    bad: [
      res("aws:apigatewayv2/route:Route", "r", { routeKey: "GET /check" }),
      res("aws:apigatewayv2/route:Route", "wk", { routeKey: "GET /.well-known/{proxy+}", authorizationType: "NONE" }),
    ],
    expect: /GET \/check has authorizationType NONE/,
  },
  "apigw-stage-logged-throttled": {
    good: [
      stage({
        accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:111111111111:log-group:a" },
        defaultRouteSettings: { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
      }),
    ],
    bad: [stage({ defaultRouteSettings: {} })],
    expect: /no accessLogSettings[\s\S]*throttling/,
  },
  "lambda-log-group-retained": {
    good: [fn({ loggingConfig: { logFormat: "JSON", logGroup: "/ccb/quota" } }), group("/ccb/quota")],
    bad: [fn({}), group("/aws/lambda/ccb-quota-check", {})],
    expect: /has no retentionInDays/,
  },
  "lambda-reserved-concurrency-sane": {
    good: [fn({ reservedConcurrentExecutions: 1 })],
    bad: [fn({ reservedConcurrentExecutions: 0 })],
    expect: /0 disables the function/,
  },
};
