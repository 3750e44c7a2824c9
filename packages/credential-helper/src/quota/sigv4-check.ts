/**
 * IAM-authorised calls for IAM Identity Center stages: the quota check (`GET /check`, route
 * authorisation `AWS_IAM`) and the telemetry token endpoint. IdC users have no id_token, so the request
 * is signed with Signature Version 4 by the AWS SDK's own signer (`@smithy/signature-v4` with the SDK's
 * SHA-256), using the credentials of the stage's SSO profile. API Gateway verifies the signature and
 * hands the function the verified caller (`AWSReservedSSO_<permission set>_…/<IdC user name>`); nothing
 * the client sends besides the signature says who it is.
 */
import type { QuotaSettings, StageSettings } from "@ccb/contracts";
import type { QuotaState } from "../cache.js";
import type { Deps } from "../io.js";

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Resolves the SSO profile's role credentials (the SDK reads the `aws sso login` token cache). */
export type CredentialsSource = (profile: string, region: string) => Promise<SigningCredentials>;

/** The default source: the SDK's provider chain for the profile, through the STS client the helper already ships. */
export const ssoProfileCredentials: CredentialsSource = async (profile, region) => {
  const { sts } = await import("../lazy.js");
  const { STSClient } = await sts();
  const client = new STSClient({ region, profile });
  try {
    return await client.config.credentials();
  } finally {
    client.destroy();
  }
};

/** Region API Gateway signs in: from an `execute-api` host, else the stage's Region (custom domains). */
export function signingRegion(url: string, fallback: string): string {
  const m = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(new URL(url).hostname);
  return m ? m[1]! : fallback;
}

/** Headers for a signed GET of `url` (host, x-amz-date, x-amz-security-token, authorization). */
export async function signedGetHeaders(
  url: string,
  region: string,
  credentials: SigningCredentials,
  now: Date,
): Promise<Record<string, string>> {
  const { SignatureV4, Sha256 } = await (await import("../lazy.js")).sigv4();
  const u = new URL(url);
  const query: Record<string, string> = {};
  u.searchParams.forEach((v, k) => (query[k] = v));
  const signer = new SignatureV4({ service: "execute-api", region, credentials, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: "GET",
      protocol: u.protocol,
      hostname: u.hostname,
      ...(u.port ? { port: Number(u.port) } : {}),
      path: u.pathname,
      query,
      headers: { host: u.host, accept: "application/json" },
    },
    { signingDate: now },
  );
  return signed.headers as Record<string, string>;
}

type SignedDeps = Pick<Deps, "fetch" | "now" | "log" | "env">;

/** A signed GET; credentials come from the SSO profile. Throws what fetch or the credential chain throws. */
export async function signedGet(
  d: SignedDeps,
  s: StageSettings,
  url: string,
  timeoutMs: number,
  credentials: CredentialsSource = ssoProfileCredentials,
): Promise<Response> {
  const creds = await credentials(s.awsProfile, s.region);
  // fetch sets Host itself (to the URL's host, the value that was signed).
  const { host: _host, ...headers } = await signedGetHeaders(url, signingRegion(url, s.region), creds, new Date(d.now()));
  return d.fetch(url, { method: "GET", headers, signal: AbortSignal.timeout(timeoutMs) });
}

/**
 * The quota check for an IdC stage, signed. Same contract and fail mode as the bearer-token check
 * (`quota.ts`); without credentials (signed out, SSO session expired) the check is "unavailable" and the
 * fail mode decides, and the message says how to sign in.
 */
export async function checkQuotaSigV4(
  d: SignedDeps,
  s: StageSettings,
  quota: QuotaSettings,
  credentials: CredentialsSource = ssoProfileCredentials,
): Promise<QuotaState> {
  const { checkQuotaWith } = await import("../quota.js");
  return checkQuotaWith(d, quota, async () => {
    let creds: SigningCredentials;
    try {
      creds = await credentials(s.awsProfile, s.region);
    } catch (e) {
      throw new Error(
        `no credentials from the SSO profile ${s.awsProfile} (${(e as Error).message}); run \`aws sso login --profile ${s.awsProfile}\``,
      );
    }
    return signedGetHeaders(quota.checkUrl, signingRegion(quota.checkUrl, s.region), creds, new Date(d.now()));
  });
}
