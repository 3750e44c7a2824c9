import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, type AwsEnvironment, policyDocument, renderPolicy, serviceTrustStatement, type Statement } from "../../iam";
import { physicalName } from "../../naming";
import { childOpts, type BuilderScope } from "../../scope";
import { IDENTITY_STORE_READ_ACTIONS, TOKEN_LOG_WRITE_ACTIONS, TOKEN_SIGN_ACTIONS } from "../perms";
import type { TokenEndpointArgs } from "./args";

export interface TokenFunctionInputs {
  readonly args: TokenEndpointArgs;
  readonly env: AwsEnvironment;
}

export const tokenFunctionName = (namePrefix: string): string => physicalName("lambda", [namePrefix, "telemetry-token"]);

/** The function's role; created first because the signing key's policy names it as the only signer. */
export function buildTokenRole(scope: BuilderScope, { args, env }: TokenFunctionInputs): aws.iam.Role {
  return new aws.iam.Role(
    `${scope.name}-role`,
    {
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("lambda.amazonaws.com", env.accountId))),
      description: `Runs the ${args.namePrefix} telemetry token endpoint`,
      maxSessionDuration: 3600,
      permissionsBoundary: args.permissionsBoundaryArn,
      tags: scope.tags,
    },
    childOpts(scope),
  );
}

/** What the function may do: write its own logs, sign with its key, and read user attributes when this account holds the identity store. */
function tokenFunctionStatements(args: TokenEndpointArgs, logGroup: aws.cloudwatch.LogGroup, key: aws.kms.Key): Statement[] {
  const statements: Statement[] = [
    allow(TOKEN_LOG_WRITE_ACTIONS, [pulumi.interpolate`${logGroup.arn}:*`], { sid: "WriteOwnLogs" }),
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
  return statements;
}

export interface TokenFunctionPermissions {
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly permissions: aws.iam.RolePolicy;
}

/** The function's log group and the role's inline policy. */
export function buildTokenPermissions(
  scope: BuilderScope,
  { args, role, key }: { args: TokenEndpointArgs; role: aws.iam.Role; key: aws.kms.Key },
): TokenFunctionPermissions {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    {
      name: `/aws/lambda/${tokenFunctionName(args.namePrefix)}`,
      retentionInDays: args.logRetentionDays,
      kmsKeyId: args.logKmsKeyArn,
      tags,
    },
    parent,
  );
  const permissions = new aws.iam.RolePolicy(
    `${name}-permissions`,
    { role: role.name, policy: renderPolicy(policyDocument(...tokenFunctionStatements(args, logGroup, key))) },
    parent,
  );
  return { logGroup, permissions };
}

/** The function's environment: who may get a token, which claims it carries, where user attributes come from. */
function tokenFunctionEnvironment(args: TokenEndpointArgs, env: AwsEnvironment, key: aws.kms.Key, issuer: pulumi.Output<string>) {
  return {
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
  };
}

export interface TokenFunctionArgs extends TokenFunctionInputs, TokenFunctionPermissions {
  readonly role: aws.iam.Role;
  readonly key: aws.kms.Key;
  /** The API's own URL: the tokens' `iss`. */
  readonly issuer: pulumi.Output<string>;
}

/** The function behind every route: signs tokens on `GET /token`, serves the JWKS and discovery documents. */
export function buildTokenFunction(scope: BuilderScope, a: TokenFunctionArgs): aws.lambda.Function {
  return new aws.lambda.Function(
    `${scope.name}-function`,
    {
      name: tokenFunctionName(a.args.namePrefix),
      description: "GET /token: a short-lived collector JWT for a verified IAM caller",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: a.args.code.handler,
      code: a.args.code.archive,
      role: a.role.arn,
      timeout: 10,
      memorySize: 256,
      reservedConcurrentExecutions: 10,
      environment: { variables: tokenFunctionEnvironment(a.args, a.env, a.key, a.issuer) },
      loggingConfig: { logFormat: "JSON", logGroup: a.logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
      tags: scope.tags,
    },
    childOpts(scope, { dependsOn: [a.permissions, a.logGroup] }),
  );
}
