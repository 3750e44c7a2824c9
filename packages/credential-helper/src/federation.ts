/**
 * id_token → AWS credentials. Direct: STS `AssumeRoleWithWebIdentity`. Cognito: `GetId` +
 * `GetCredentialsForIdentity` (enhanced flow). Both are unsigned calls; the clients get a credentials
 * provider that throws, so the default chain (which would run this very helper again through
 * `credential_process`) can never be consulted. The AWS SDK is imported only here, lazily.
 */
import type { CognitoIdentityPoolSettings, DirectFederationSettings } from "@ccb/contracts";
import type { Deps } from "./io.js";
import { HelperError } from "./errors.js";
import { isNetworkError } from "./oidc/errors.js";
import { cognito, sts } from "./lazy.js";
import { currentStageCaBundle, networkFailure } from "./network.js";
import { sdkRequestHandler, serviceUrl } from "./net-client.js";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ISO 8601. */
  readonly expiration: string;
  /** The assumed-role ARN (or the Cognito identity id), for `status`. */
  readonly principal?: string;
}

export interface DirectRequest {
  readonly federation: DirectFederationSettings;
  readonly region: string;
  readonly idToken: string;
  readonly roleSessionName: string;
}

export interface CognitoRequest {
  readonly federation: CognitoIdentityPoolSettings;
  readonly idToken: string;
}

/** Injectable so unit tests never load the SDK. */
export interface Federation {
  assumeRoleWithWebIdentity(req: DirectRequest): Promise<AwsCredentials>;
  cognitoCredentials(req: CognitoRequest): Promise<AwsCredentials>;
}

const NO_CHAIN = async (): Promise<never> => {
  throw new HelperError("ERR_HELPER_INTERNAL", "refusing to resolve AWS credentials inside the credential helper");
};

/** `AWS_ENDPOINT_URL_<SERVICE>` then `AWS_ENDPOINT_URL`, as the AWS SDKs resolve them. */
export function endpointFor(env: Readonly<Record<string, string | undefined>>, serviceEnvId: string): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true") return undefined;
  return env[`AWS_ENDPOINT_URL_${serviceEnvId}`] || env.AWS_ENDPOINT_URL || undefined;
}

function mapStsError(e: unknown, url: string, env: Readonly<Record<string, string | undefined>>): HelperError {
  if (e instanceof HelperError) return e;
  const net = networkFailure(e, url, env, "AWS STS");
  if (net) return net;
  if (isNetworkError(e)) return new HelperError("ERR_STS_UNREACHABLE", "cannot reach AWS STS", { cause: e });
  const err = e as { name?: string; message?: string };
  const detail = `${err.name ?? "Error"}: ${err.message ?? ""}`.trim();
  switch (err.name) {
    case "AccessDenied":
    case "AccessDeniedException":
    case "IDPRejectedClaimException":
      return new HelperError("ERR_STS_ACCESS_DENIED", `AWS STS refused the role (${detail})`, { cause: e });
    case "ExpiredTokenException":
    case "ExpiredToken":
      return new HelperError("ERR_STS_EXPIRED_TOKEN", `AWS STS says the sign-in token has expired (${detail})`, {
        cause: e,
        recoverable: true,
      });
    case "InvalidIdentityTokenException":
    case "InvalidIdentityToken":
    case "IDPCommunicationErrorException":
      return new HelperError("ERR_STS_INVALID_TOKEN", `AWS STS did not accept the sign-in token (${detail})`, { cause: e });
    default:
      return new HelperError("ERR_STS_FAILED", `AWS STS call failed (${detail})`, { cause: e });
  }
}

function mapCognitoError(e: unknown, url: string, env: Readonly<Record<string, string | undefined>>): HelperError {
  if (e instanceof HelperError) return e;
  const net = networkFailure(e, url, env, "Amazon Cognito");
  if (net) return net;
  if (isNetworkError(e)) return new HelperError("ERR_STS_UNREACHABLE", "cannot reach Amazon Cognito", { cause: e });
  const err = e as { name?: string; message?: string };
  if (err.name === "NotAuthorizedException" && /expired/i.test(err.message ?? "")) {
    return new HelperError("ERR_STS_EXPIRED_TOKEN", `Amazon Cognito says the sign-in token has expired (${err.message})`, {
      cause: e,
      recoverable: true,
    });
  }
  return new HelperError("ERR_COGNITO_FAILED", `Amazon Cognito refused the sign-in (${err.name}: ${err.message})`, { cause: e });
}

export function sdkFederation(d: Pick<Deps, "env" | "log">): Federation {
  return {
    async assumeRoleWithWebIdentity(req) {
      const { STSClient, AssumeRoleWithWebIdentityCommand } = await sts();
      const endpoint = endpointFor(d.env, "STS");
      d.log.debug("sts", "AssumeRoleWithWebIdentity", {
        endpoint: endpoint ?? "regional",
        region: req.region,
        session: req.roleSessionName,
      });
      const url = serviceUrl(endpoint, "sts", req.region);
      const requestHandler = (await sdkRequestHandler(d.env, currentStageCaBundle(), url)) as never;
      const client = new STSClient({
        region: req.region,
        credentials: NO_CHAIN,
        maxAttempts: 3,
        requestHandler,
        ...(endpoint ? { endpoint } : {}),
      });
      try {
        const out = await client.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: req.federation.roleArn,
            RoleSessionName: req.roleSessionName,
            WebIdentityToken: req.idToken,
            DurationSeconds: req.federation.sessionDurationSeconds,
          }),
          { abortSignal: AbortSignal.timeout(30_000) },
        );
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration)
          throw new HelperError("ERR_STS_FAILED", "AWS STS answered without credentials");
        return {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: new Date(c.Expiration).toISOString(),
          ...(out.AssumedRoleUser?.Arn ? { principal: out.AssumedRoleUser.Arn } : {}),
        };
      } catch (e) {
        throw mapStsError(e, url, d.env);
      } finally {
        client.destroy();
      }
    },
    async cognitoCredentials(req) {
      const { CognitoIdentityClient, GetIdCommand, GetCredentialsForIdentityCommand } = await cognito();
      const endpoint = endpointFor(d.env, "COGNITO_IDENTITY");
      const url = serviceUrl(endpoint, "cognito-identity", req.federation.identityPoolRegion);
      const requestHandler = (await sdkRequestHandler(d.env, currentStageCaBundle(), url)) as never;
      const client = new CognitoIdentityClient({
        region: req.federation.identityPoolRegion,
        credentials: NO_CHAIN,
        maxAttempts: 3,
        requestHandler,
        ...(endpoint ? { endpoint } : {}),
      });
      const logins = { [req.federation.providerName]: req.idToken };
      try {
        d.log.debug("cognito", "GetId", { pool: req.federation.identityPoolId });
        const id = await client.send(new GetIdCommand({ IdentityPoolId: req.federation.identityPoolId, Logins: logins }));
        if (!id.IdentityId) throw new HelperError("ERR_COGNITO_FAILED", "Amazon Cognito answered without an identity id");
        const out = await client.send(new GetCredentialsForIdentityCommand({ IdentityId: id.IdentityId, Logins: logins }));
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken || !c.Expiration)
          throw new HelperError("ERR_COGNITO_FAILED", "Amazon Cognito answered without credentials");
        return {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretKey,
          sessionToken: c.SessionToken,
          expiration: new Date(c.Expiration).toISOString(),
          principal: id.IdentityId,
        };
      } catch (e) {
        throw mapCognitoError(e, url, d.env);
      } finally {
        client.destroy();
      }
    },
  };
}
