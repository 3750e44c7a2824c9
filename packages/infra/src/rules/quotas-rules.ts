import { at, obj } from "../testing/inputs";
import type { RecordedResource } from "../testing/recorder";
import { asList } from "../testing/recorder";
import { PRICE_LIST_READ_ACTIONS, PRICE_LIST_SID } from "../quotas/perms";
import { ROLE_POLICY, statementsOf } from "./iam-rules";
import type { SecurityRule } from "./types";

const ROUTE = "aws:apigatewayv2/route:Route";
const STAGE = "aws:apigatewayv2/stage:Stage";
const FUNCTION = "aws:lambda/function:Function";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/**
 * Public metadata a token issuer must serve to verifiers that hold no AWS credentials (the ALB and the
 * collector): its public keys and discovery document. Read-only, no secret, grants nothing. Only these
 * exact GET routes may skip authentication.
 */
export const PUBLIC_ISSUER_METADATA_ROUTES = ["GET /.well-known/jwks.json", "GET /.well-known/openid-configuration"] as const;

/** Every API Gateway route authenticates its caller: JWT (with an authorizer), IAM, or a custom authorizer. */
export const apiRoutesAuthorized: SecurityRule = {
  id: "apigw-route-authorized",
  description:
    "API Gateway routes require a JWT authorizer, IAM (SigV4) or a custom authorizer; no unauthenticated endpoints but a token issuer's public keys and discovery document",
  types: [ROUTE],
  check(r) {
    const type = String(r.inputs.authorizationType ?? "NONE");
    if (type === "AWS_IAM") return [];
    if (type === "NONE" && (PUBLIC_ISSUER_METADATA_ROUTES as readonly string[]).includes(String(r.inputs.routeKey))) return [];
    if ((type === "JWT" || type === "CUSTOM") && r.inputs.authorizerId) return [];
    if (type === "JWT" || type === "CUSTOM") return [`route ${r.inputs.routeKey} uses ${type} authorization without an authorizerId`];
    return [`route ${r.inputs.routeKey} has authorizationType ${type}: anyone on the internet can call it`];
  },
};

/** HTTP API stages keep access logs and throttle, so abuse is visible and bounded. */
export const apiStagesLoggedAndThrottled: SecurityRule = {
  id: "apigw-stage-logged-throttled",
  description: "API Gateway stages write access logs and set default throttling limits",
  types: [STAGE],
  check(r) {
    const out: string[] = [];
    if (!at(r.inputs, "accessLogSettings", "destinationArn")) out.push(`stage ${r.inputs.name} has no accessLogSettings.destinationArn`);
    const s = obj(r.inputs.defaultRouteSettings);
    if (!(Number(s.throttlingRateLimit) > 0) || !(Number(s.throttlingBurstLimit) > 0))
      out.push(`stage ${r.inputs.name} sets no defaultRouteSettings throttlingRateLimit/throttlingBurstLimit`);
    return out;
  },
};

/**
 * Lambda functions log to a log group the stack declares with a retention: either the group named in
 * `loggingConfig.logGroup` or `/aws/lambda/<function name>`. Otherwise Lambda creates one that keeps
 * logs forever.
 */
export const lambdaLogGroupRetained: SecurityRule = {
  id: "lambda-log-group-retained",
  description: "Lambda functions write to a declared log group with a retention (not an implicit never-expiring one)",
  types: [FUNCTION],
  check(r, stack) {
    const groups = stack.filter((x: RecordedResource) => x.type === LOG_GROUP);
    const wanted = at(r.inputs, "loggingConfig", "logGroup") ?? (r.inputs.name ? `/aws/lambda/${String(r.inputs.name)}` : undefined);
    if (!wanted) return ["function has neither a name nor loggingConfig.logGroup, so its log group cannot be declared with a retention"];
    const group = groups.find((g) => g.inputs.name === wanted);
    if (!group) return [`function logs to ${wanted}, which the stack does not declare (Lambda would create it without retention)`];
    if (!group.inputs.retentionInDays) return [`log group ${wanted} of the function has no retentionInDays`];
    return [];
  },
};

/** Reserved concurrency 0 silently disables a function; absurd values starve the account. */
export const lambdaConcurrencySane: SecurityRule = {
  id: "lambda-reserved-concurrency-sane",
  description: "Reserved concurrency, when set, is between 1 and 1000 (0 throttles every invocation)",
  types: [FUNCTION],
  check(r) {
    const v = r.inputs.reservedConcurrentExecutions;
    if (v === undefined || v === null || Number(v) === -1) return [];
    const n = Number(v);
    return n >= 1 && n <= 1000 ? [] : [`reservedConcurrentExecutions ${v} is outside 1–1000${n === 0 ? " (0 disables the function)" : ""}`];
  },
};

/**
 * The Price List API has no resource types: `pricing:GetProducts` can only be allowed on `"*"`. That
 * is the one documented unscoped grant of the quota functions, accepted only as a statement with Sid
 * `PRICE_LIST_SID` holding nothing but the Price List read actions, so the exception cannot carry
 * other actions along.
 */
export const priceListUnscopedOnly: SecurityRule = {
  id: "iam-price-list-unscoped-only",
  description: `pricing:* actions are granted only as the documented unscoped exception (Sid ${PRICE_LIST_SID}, exactly ${PRICE_LIST_READ_ACTIONS.join(", ")}), and that Sid grants nothing else`,
  types: [ROLE_POLICY],
  check(r) {
    const out: string[] = [];
    for (const s of statementsOf(r)) {
      if (s.Effect !== "Allow") continue;
      const actions = asList<string>(s.Action);
      const pricing = actions.filter((a) => a.toLowerCase().startsWith("pricing:"));
      if (s.Sid === PRICE_LIST_SID) {
        const other = actions.filter((a) => !(PRICE_LIST_READ_ACTIONS as readonly string[]).includes(a));
        if (other.length)
          out.push(`statement ${PRICE_LIST_SID} may hold only ${PRICE_LIST_READ_ACTIONS.join(", ")}, not ${other.join(", ")}`);
      } else if (pricing.length) {
        out.push(`statement ${s.Sid ?? "(no Sid)"} grants ${pricing.join(", ")} outside the documented ${PRICE_LIST_SID} exception`);
      }
    }
    return out;
  },
};

/** Security rules of the quotas module. */
export const QUOTAS_RULES: SecurityRule[] = [
  apiRoutesAuthorized,
  apiStagesLoggedAndThrottled,
  lambdaLogGroupRetained,
  lambdaConcurrencySane,
  priceListUnscopedOnly,
];
