import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  accountRootArn,
  allow,
  awsEnvironment,
  grant,
  type Grant,
  type Grantee,
  policyDocument,
  renderPolicy,
  serviceTrustStatement,
  type Statement,
} from "../iam";
import { physicalName } from "../naming";
import { KMS_KEY_ADMIN_ACTIONS } from "../storage/customer-key";
import type { FunctionCode } from "../quotas";

/** The function signs tokens and reads the public key: nothing else on the key, and nobody else may sign. */
export const TOKEN_SIGN_ACTIONS = ["kms:Sign", "kms:GetPublicKey"] as const;
/** Administration of the signing key without any cryptographic use (the root statement never allows Sign). */
export const SIGNING_KEY_ADMIN_ACTIONS = KMS_KEY_ADMIN_ACTIONS.filter((a) => !/^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey)/.test(a));
/** User attributes (email, department, division, cost center) by IdC user name. */
export const IDENTITY_STORE_READ_ACTIONS = ["identitystore:GetUserId", "identitystore:DescribeUser"] as const;
export const TOKEN_INVOKE_ACTIONS = ["execute-api:Invoke"] as const;
const LOG_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;

export interface TokenEndpointArgs {
  readonly namePrefix: string;
  readonly code: FunctionCode;
  /** `aud` of the tokens; the ALB and the collector accept this audience from this issuer. */
  readonly audience: string;
  /** Token lifetime, 300–3600 s. @default 3600 */
  readonly ttlSeconds?: number;
  /** `AWSReservedSSO_<permission set>_`: IdC sessions of the stage's permission set get tokens keyed on their user name. */
  readonly identityCenterRolePrefix?: string;
  /**
   * The IdC identity store to read user attributes from. Only when this account administers the IdC
   * instance (its management or delegated administrator account): the identity store API answers nowhere else.
   */
  readonly identityStore?: { readonly id: string; readonly region: string; readonly accountId: string };
  /** Role names in this account (cross-account workload roles) that may get a token keyed on the role. */
  readonly workloadRoleNames?: readonly string[];
  /** Claim names of the attributes, as the collector reads them (the corporate IdP's attribute claims). */
  readonly claimNames?: { readonly department?: string; readonly team?: string; readonly costCenter?: string };
  /** Key for the log groups (the account's customer managed key). */
  readonly logKmsKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  readonly tags?: Record<string, string>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export function validateTokenEndpointArgs(a: TokenEndpointArgs): string[] {
  const p: string[] = [];
  const ttl = a.ttlSeconds ?? 3600;
  if (!Number.isInteger(ttl) || ttl < 300 || ttl > 3600) p.push("`ttlSeconds` must be 300–3600: collector tokens live at most an hour");
  if (!a.identityCenterRolePrefix && !(a.workloadRoleNames ?? []).length)
    p.push("name who may get tokens: `identityCenterRolePrefix` and/or `workloadRoleNames`");
  if (a.identityCenterRolePrefix && !/^AWSReservedSSO_[\w+=,.@-]{1,32}_$/.test(a.identityCenterRolePrefix))
    p.push("`identityCenterRolePrefix` must be AWSReservedSSO_<permission set>_");
  if (!/^[\w.:/-]{1,128}$/.test(a.audience)) p.push("`audience` must be 1–128 of [A-Za-z0-9_.:/-]");
  return p;
}

/**
 * Collector tokens for IAM callers, who have no id_token: an HTTP API whose `GET /token` is
 * IAM-authorised (SigV4), a function that turns the verified caller into a JWT of at most an hour
 * signed with an asymmetric KMS key (ECC_NIST_P256; only this function may `kms:Sign`), and the public
 * half at `GET /.well-known/jwks.json` with a discovery document at `/.well-known/openid-configuration`.
 * The two `.well-known` routes are unauthenticated by necessity (the ALB and the collector fetch them
 * without AWS credentials) and safe: they serve a public key and the issuer's metadata, grant nothing,
 * and are throttled like the rest. The API's own URL is the issuer, stable for the API's lifetime.
 */
export class TokenEndpoint extends pulumi.ComponentResource {
  readonly issuerUrl: pulumi.Output<string>;
  readonly tokenUrl: pulumi.Output<string>;
  readonly jwksUri: pulumi.Output<string>;
  readonly api: aws.apigatewayv2.Api;
  readonly keyArn: pulumi.Output<string>;
  readonly functionRoleArn: pulumi.Output<string>;
  private readonly componentName: string;

  constructor(name: string, args: TokenEndpointArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:telemetry:TokenEndpoint", name, {}, opts);
    this.componentName = name;
    const problems = validateTokenEndpointArgs(args);
    if (problems.length) throw new Error(`TokenEndpoint ${name}: ${problems.join("; ")}`);
    const parent = { parent: this };
    const env = awsEnvironment(this);
    const tags = { ...(args.tags ?? {}), component: "telemetry-token" };
    const functionName = physicalName("lambda", [args.namePrefix, "telemetry-token"]);

    const execRole = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("lambda.amazonaws.com", env.accountId))),
        description: `Runs the ${args.namePrefix} telemetry token endpoint`,
        maxSessionDuration: 3600,
        permissionsBoundary: args.permissionsBoundaryArn,
        tags,
      },
      parent,
    );
    const key = new aws.kms.Key(
      `${name}-signing-key`,
      {
        description: `Signs ${args.namePrefix} collector tokens for IAM callers (ES256)`,
        customerMasterKeySpec: "ECC_NIST_P256",
        keyUsage: "SIGN_VERIFY",
        // KMS cannot rotate asymmetric keys; rotate by replacing the key (a new kid; tokens live an hour).
        enableKeyRotation: false,
        deletionWindowInDays: 30,
        policy: renderPolicy(
          policyDocument(
            allow(SIGNING_KEY_ADMIN_ACTIONS, ["*"], {
              sid: "AccountAdministers",
              principal: { AWS: accountRootArn(env.partition, env.accountId) },
            }),
            allow(TOKEN_SIGN_ACTIONS, ["*"], { sid: "OnlyTheTokenFunctionSigns", principal: { AWS: execRole.arn } }),
          ),
        ),
        tags,
      },
      parent,
    );
    new aws.kms.Alias(`${name}-signing-key-alias`, { name: `alias/${args.namePrefix}-telemetry-token`, targetKeyId: key.keyId }, parent);

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logKmsKeyArn, tags },
      parent,
    );
    const statements: Statement[] = [
      allow(LOG_WRITE_ACTIONS, [pulumi.interpolate`${logGroup.arn}:*`], { sid: "WriteOwnLogs" }),
      allow(TOKEN_SIGN_ACTIONS, [key.arn], { sid: "SignTokens" }),
    ];
    if (args.identityStore) {
      const s = args.identityStore;
      statements.push(
        allow(
          IDENTITY_STORE_READ_ACTIONS,
          [`arn:${"aws"}:identitystore::${s.accountId}:identitystore/${s.id}`, "arn:aws:identitystore:::user/*"],
          { sid: "ReadUserAttributes" },
        ),
      );
    }
    const permissions = new aws.iam.RolePolicy(
      `${name}-permissions`,
      { role: execRole.name, policy: renderPolicy(policyDocument(...statements)) },
      parent,
    );

    this.api = new aws.apigatewayv2.Api(
      `${name}-api`,
      {
        name: physicalName("lambda", [args.namePrefix, "telemetry-token-api"]),
        protocolType: "HTTP",
        description: "Collector tokens for IAM callers (GET /token, SigV4) and their JWKS",
        tags,
      },
      parent,
    );
    const issuer = this.api.apiEndpoint;
    const fn = new aws.lambda.Function(
      `${name}-function`,
      {
        name: functionName,
        description: "GET /token: a short-lived collector JWT for a verified IAM caller",
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: args.code.handler,
        code: args.code.archive,
        role: execRole.arn,
        timeout: 10,
        memorySize: 256,
        reservedConcurrentExecutions: 10,
        environment: {
          variables: {
            SIGNING_KEY_ID: key.arn,
            ISSUER: issuer,
            AUDIENCE: args.audience,
            TOKEN_TTL_SECONDS: String(args.ttlSeconds ?? 3600),
            ACCOUNT_ID: env.accountId,
            ...(args.identityCenterRolePrefix ? { IDC_ROLE_PREFIX: args.identityCenterRolePrefix } : {}),
            ...(args.workloadRoleNames?.length ? { WORKLOAD_ROLE_NAMES: args.workloadRoleNames.join(",") } : {}),
            ...(args.claimNames?.department ? { CLAIM_DEPARTMENT: args.claimNames.department } : {}),
            ...(args.claimNames?.team ? { CLAIM_TEAM: args.claimNames.team } : {}),
            ...(args.claimNames?.costCenter ? { CLAIM_COST_CENTER: args.claimNames.costCenter } : {}),
            ...(args.identityStore ? { IDENTITY_STORE_ID: args.identityStore.id, IDENTITY_STORE_REGION: args.identityStore.region } : {}),
          },
        },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
        tags,
      },
      { parent: this, dependsOn: [permissions, logGroup] },
    );

    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-api-access-logs`,
      {
        name: `/aws/apigateway/${physicalName("lambda", [args.namePrefix, "telemetry-token-api"])}`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.logKmsKeyArn,
        tags,
      },
      parent,
    );
    const integration = new aws.apigatewayv2.Integration(
      `${name}-integration`,
      {
        apiId: this.api.id,
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
      new aws.apigatewayv2.Route(
        `${name}-token`,
        { apiId: this.api.id, routeKey: "GET /token", target, authorizationType: "AWS_IAM" },
        parent,
      ),
      // Public by necessity (the verifiers have no AWS credentials), read-only, no secret: see the class comment.
      new aws.apigatewayv2.Route(
        `${name}-jwks`,
        { apiId: this.api.id, routeKey: "GET /.well-known/jwks.json", target, authorizationType: "NONE" },
        parent,
      ),
      new aws.apigatewayv2.Route(
        `${name}-discovery`,
        { apiId: this.api.id, routeKey: "GET /.well-known/openid-configuration", target, authorizationType: "NONE" },
        parent,
      ),
    ];
    new aws.apigatewayv2.Stage(
      `${name}-api-stage`,
      {
        apiId: this.api.id,
        name: "$default",
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingRateLimit: args.throttle?.rateLimit ?? 50,
          throttlingBurstLimit: args.throttle?.burstLimit ?? 100,
          detailedMetricsEnabled: true,
        },
        accessLogSettings: {
          destinationArn: accessLogs.arn,
          format: JSON.stringify({
            requestId: "$context.requestId",
            time: "$context.requestTime",
            route: "$context.routeKey",
            status: "$context.status",
            latencyMs: "$context.responseLatency",
            sourceIp: "$context.identity.sourceIp",
            iamUser: "$context.identity.userArn",
            integrationError: "$context.integrationErrorMessage",
          }),
        },
        tags,
      },
      { parent: this, dependsOn: routes },
    );
    new aws.lambda.Permission(
      `${name}-api-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: fn.name,
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${this.api.executionArn}/*/GET/*`,
      },
      parent,
    );

    this.issuerUrl = issuer;
    this.tokenUrl = pulumi.interpolate`${issuer}/token`;
    this.jwksUri = pulumi.interpolate`${issuer}/.well-known/jwks.json`;
    this.keyArn = key.arn;
    this.functionRoleArn = execRole.arn;
    this.registerOutputs({ issuerUrl: this.issuerUrl, tokenUrl: this.tokenUrl, jwksUri: this.jwksUri, keyArn: this.keyArn });
  }

  /** Lets a role of this account (a cross-account workload role) call `GET /token`, as an inline policy. */
  grantInvoke(grantee: Grantee): Grant {
    return grant(this, this.componentName, "invoke", grantee, this.invokeStatements());
  }

  /** What a caller's identity policy needs (the IdC permission set, a workload role): invoke `GET /token` only. */
  invokeStatements(): Statement[] {
    return [allow(TOKEN_INVOKE_ACTIONS, [pulumi.interpolate`${this.api.executionArn}/*/GET/token`], { sid: "GetTelemetryToken" })];
  }
}
