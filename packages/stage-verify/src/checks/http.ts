import * as tls from "node:tls";
import { type CheckResult, errText, fail, ok } from "./context";

/** The endpoint refuses a request without a token (401), so it is up and its authorizer is on. */
export async function expect401(doFetch: typeof fetch, check: string, url: string, method: string): Promise<CheckResult> {
  try {
    const res = await doFetch(url, {
      method,
      signal: AbortSignal.timeout(10_000),
      ...(method === "POST" ? { headers: { "content-type": "application/x-protobuf" }, body: new Uint8Array() } : {}),
    });
    return res.status === 401
      ? ok(check, `${url} answers 401 without a token`)
      : fail(
          check,
          `${url} answered HTTP ${res.status} without a token (expected 401)`,
          res.status < 300
            ? "the endpoint accepts anonymous requests: run `pulumi up` to restore its authorizer/JWT check"
            : "the endpoint is not serving: check its logs (collector service or quota API stage) and DNS",
        );
  } catch (e) {
    return fail(
      check,
      `${url} is unreachable: ${errText(e)}`,
      "check DNS (the endpoint's record) and that this network may reach it (internal endpoints need the VPN)",
    );
  }
}

/** SHA-1 fingerprints of every certificate the host presents (leaf to root). */
export async function tlsChainFingerprints(url: string): Promise<string[]> {
  const u = new URL(url);
  if (u.protocol !== "https:") throw new Error(`the issuer ${url} is not https (IAM accepts only https issuers)`);
  return await new Promise((resolve, reject) => {
    const socket = tls.connect({ host: u.hostname, port: Number(u.port || 443), servername: u.hostname }, () => {
      const out: string[] = [];
      let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (cert && cert.fingerprint && !out.includes(cert.fingerprint.replace(/:/g, "").toLowerCase())) {
        out.push(cert.fingerprint.replace(/:/g, "").toLowerCase());
        cert = cert.issuerCertificate;
      }
      socket.end();
      resolve(out);
    });
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`TLS handshake with ${u.host} timed out`));
    });
    socket.on("error", reject);
  });
}
