/**
 * The two AWS APIs the token endpoint calls (KMS `Sign`/`GetPublicKey`, identity store
 * `GetUserId`/`DescribeUser`) as JSON requests signed by the SDK's own SigV4 signer with the function's
 * role credentials. Both are plain AWS JSON 1.1 calls; this keeps the bundle free of two more clients.
 */
import type { Signer } from "./jwt.js";
import type { UserAttributes, UserDirectory } from "./handler.js";

type Env = Readonly<Record<string, string | undefined>>;

export async function awsJson(
  env: Env,
  service: string,
  target: string,
  region: string,
  body: unknown,
  fetchImpl: typeof fetch = fetch,
): Promise<Record<string, unknown>> {
  const [{ SignatureV4 }, { Sha256 }] = await Promise.all([import("@smithy/signature-v4"), import("@smithy/core/checksum")]);
  const endpoint = new URL(env.AWS_ENDPOINT_URL ?? `https://${service}.${region}.amazonaws.com/`);
  const credentials = {
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? "",
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "",
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
  const text = JSON.stringify(body);
  const signer = new SignatureV4({ service, region, credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: "POST",
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path: endpoint.pathname,
    query: {},
    headers: { host: endpoint.host, "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body: text,
  });
  const { host: _host, ...headers } = signed.headers as Record<string, string>;
  const res = await fetchImpl(endpoint, { method: "POST", headers, body: text, signal: AbortSignal.timeout(5_000) });
  const out = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok)
    throw new Error(`${target} failed: HTTP ${res.status} ${String(out.__type ?? "")} ${String(out.message ?? out.Message ?? "")}`.trim());
  return out;
}

/** The stage's ECC_NIST_P256 KMS key; the function's role may `kms:Sign` and `kms:GetPublicKey` on it only. */
export function kmsSigner(env: Env, keyId: string, region: string): Signer {
  let spki: Promise<Uint8Array> | undefined;
  return {
    async sign(message) {
      const out = await awsJson(env, "kms", "TrentService.Sign", region, {
        KeyId: keyId,
        Message: Buffer.from(message).toString("base64"),
        MessageType: "RAW",
        SigningAlgorithm: "ECDSA_SHA_256",
      });
      return Buffer.from(String(out.Signature), "base64");
    },
    publicKeySpki() {
      spki ??= awsJson(env, "kms", "TrentService.GetPublicKey", region, { KeyId: keyId }).then((o) =>
        Buffer.from(String(o.PublicKey), "base64"),
      );
      spki.catch(() => (spki = undefined));
      return spki;
    },
  };
}

/** IdC user attributes by user name: primary email, and the enterprise department, division (team) and cost center. */
export function identityStoreDirectory(env: Env, identityStoreId: string, region: string, now: () => number = Date.now): UserDirectory {
  const cache = new Map<string, { at: number; value: UserAttributes | undefined }>();
  return {
    async attributesOf(userName) {
      const hit = cache.get(userName);
      if (hit && now() - hit.at < 10 * 60_000) return hit.value;
      let value: UserAttributes | undefined;
      try {
        const { UserId } = (await awsJson(env, "identitystore", "AWSIdentityStore.GetUserId", region, {
          IdentityStoreId: identityStoreId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: "userName", AttributeValue: userName } },
        })) as { UserId?: string };
        const user = await awsJson(env, "identitystore", "AWSIdentityStore.DescribeUser", region, {
          IdentityStoreId: identityStoreId,
          UserId,
          Extensions: ["aws:identitystore:enterprise"],
        });
        value = userAttributes(user);
      } catch {
        value = undefined;
      }
      cache.set(userName, { at: now(), value });
      return value;
    },
  };
}

/** The parts of identity store `DescribeUser` output the token uses. */
interface DescribedUser {
  readonly Emails?: ReadonlyArray<{ Value?: string; Primary?: boolean }>;
  readonly Extensions?: Record<string, Record<string, unknown> | undefined>;
}

/** `DescribeUser` output → attributes (absent ones stay absent). */
export function userAttributes(user: unknown): UserAttributes {
  const u = (typeof user === "object" && user !== null ? user : {}) as DescribedUser;
  const emails = Array.isArray(u.Emails) ? u.Emails : [];
  const email = (emails.find((e) => e.Primary) ?? emails[0])?.Value;
  const ent = u.Extensions?.["aws:identitystore:enterprise"] ?? {};
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
  const team = str(ent.division);
  const department = str(ent.department);
  const costCenter = str(ent.costCenter);
  return {
    ...(email ? { email } : {}),
    ...(team ? { team } : {}),
    ...(department ? { department } : {}),
    ...(costCenter ? { costCenter } : {}),
  };
}
