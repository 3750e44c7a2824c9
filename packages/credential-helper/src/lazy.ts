/**
 * The heavy libraries (openid-client, jose, the AWS SDK clients, undici), each imported only by the
 * first call that needs it. In the bundle, esbuild turns these dynamic imports into initialisers that
 * run on first use, inside the code `entry.ts` unpacks only off the warm path; a warm
 * `credential-process` never even parses them.
 */

export async function openidClient(): Promise<typeof import("openid-client")> {
  return import("openid-client");
}

export async function jose(): Promise<typeof import("jose")> {
  return import("jose");
}

export async function sts(): Promise<typeof import("@aws-sdk/client-sts")> {
  return import("@aws-sdk/client-sts");
}

export async function cognito(): Promise<typeof import("@aws-sdk/client-cognito-identity")> {
  return import("@aws-sdk/client-cognito-identity");
}

/** undici (fetch through a proxy, extra CAs), https-proxy-agent and the SDK's HTTP handler. */
export async function network(): Promise<typeof import("./heavy-network.js")> {
  return import("./heavy-network.js");
}

/** The Bedrock runtime client: only `doctor --live` loads it. */
export async function bedrock(): Promise<typeof import("@aws-sdk/client-bedrock-runtime")> {
  return import("@aws-sdk/client-bedrock-runtime");
}

/** The AWS SDK's SigV4 signer and SHA-256 (IAM-authorised calls of IAM Identity Center stages). */
export async function sigv4(): Promise<{
  SignatureV4: typeof import("@smithy/signature-v4").SignatureV4;
  Sha256: typeof import("@smithy/core/checksum").Sha256;
}> {
  const [{ SignatureV4 }, { Sha256 }] = await Promise.all([import("@smithy/signature-v4"), import("@smithy/core/checksum")]);
  return { SignatureV4, Sha256 };
}
