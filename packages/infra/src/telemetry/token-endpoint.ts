import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsEnvironment, grant, type Grant, type Grantee, type Statement } from "../iam";
import type { BuilderScope } from "../scope";
import { type TokenEndpointArgs, validateTokenEndpointArgs } from "./token-endpoint/args";
import { buildTokenApi, buildTokenRoutes, tokenInvokeStatements } from "./token-endpoint/api";
import { buildTokenFunction, buildTokenPermissions, buildTokenRole } from "./token-endpoint/function";
import { buildSigningKey } from "./token-endpoint/key";

export { IDENTITY_STORE_READ_ACTIONS, TOKEN_INVOKE_ACTIONS, TOKEN_SIGN_ACTIONS } from "./perms";
export { SIGNING_KEY_ADMIN_ACTIONS } from "./token-endpoint/key";
export { type TokenEndpointArgs, validateTokenEndpointArgs } from "./token-endpoint/args";

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
    const env = awsEnvironment(this);
    const scope: BuilderScope = { name, parent: this, tags: { ...(args.tags ?? {}), component: "telemetry-token" } };

    // The key policy names the role as its only signer, and the function stamps the API URL as `iss`.
    const role = buildTokenRole(scope, { args, env });
    const key = buildSigningKey(scope, { namePrefix: args.namePrefix, env, signerRoleArn: role.arn });
    const { logGroup, permissions } = buildTokenPermissions(scope, { args, role, key });
    this.api = buildTokenApi(scope, args);
    const issuer = this.api.apiEndpoint;
    const fn = buildTokenFunction(scope, { args, env, role, key, issuer, logGroup, permissions });
    buildTokenRoutes(scope, { args, api: this.api, fn });

    this.issuerUrl = issuer;
    this.tokenUrl = pulumi.interpolate`${issuer}/token`;
    this.jwksUri = pulumi.interpolate`${issuer}/.well-known/jwks.json`;
    this.keyArn = key.arn;
    this.functionRoleArn = role.arn;
    this.registerOutputs({ issuerUrl: this.issuerUrl, tokenUrl: this.tokenUrl, jwksUri: this.jwksUri, keyArn: this.keyArn });
  }

  /** Lets a role of this account (a cross-account workload role) call `GET /token`, as an inline policy. */
  grantInvoke(grantee: Grantee): Grant {
    return grant(this, this.componentName, "invoke", grantee, this.invokeStatements());
  }

  /** What a caller's identity policy needs (the IdC permission set, a workload role): invoke `GET /token` only. */
  invokeStatements(): Statement[] {
    return tokenInvokeStatements(this.api);
  }
}
