/**
 * A local stand-in for an API Gateway route with `AWS_IAM` authorisation: it verifies Signature
 * Version 4 as API Gateway does (its own implementation with node:crypto, independent of the signer
 * under test: canonical request, string to sign, derived key, scope, clock skew, session token) and
 * passes the verified caller's ARN to a handler. Unsigned or badly signed requests get 403.
 */
import { createHash, createHmac } from "node:crypto";
import * as http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";

export interface KnownCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** The role session these credentials belong to. */
  readonly arn: string;
}

export interface SigV4StandIn {
  readonly url: string;
  /** Requests by outcome. */
  readonly seen: { verified: number; rejected: string[] };
  close(): Promise<void>;
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const hmac = (key: Buffer | string, s: string) => createHmac("sha256", key).update(s, "utf8").digest();
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Verifies a GET's signature; returns the caller ARN or the reason it is refused. */
export function verifySigV4(
  req: { method: string; url: string; headers: http.IncomingHttpHeaders },
  known: readonly KnownCredentials[],
  opts: { region: string; service: string; now: number },
): { arn: string } | { error: string } {
  const auth = String(req.headers.authorization ?? "");
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { error: "missing or malformed Authorization" };
  const [, akid, day, region, service, signedHeaders, signature] = m as unknown as string[];
  const creds = known.find((k) => k.accessKeyId === akid);
  if (!creds) return { error: "unknown access key" };
  if (region !== opts.region || service !== opts.service) return { error: `wrong scope ${region}/${service}` };
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day) return { error: "bad x-amz-date" };
  const t = Date.UTC(
    +amzDate.slice(0, 4),
    +amzDate.slice(4, 6) - 1,
    +amzDate.slice(6, 8),
    +amzDate.slice(9, 11),
    +amzDate.slice(11, 13),
    +amzDate.slice(13, 15),
  );
  if (Math.abs(t - opts.now) > 5 * 60_000) return { error: "signature expired" };
  const names = signedHeaders!.split(";");
  for (const required of ["host", "x-amz-date", "x-amz-security-token"])
    if (!names.includes(required)) return { error: `${required} not signed` };
  if (req.headers["x-amz-security-token"] !== creds.sessionToken) return { error: "bad session token" };
  const u = new URL(req.url, "http://placeholder");
  const query = [...u.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const canonical = [
    req.method,
    u.pathname
      .split("/")
      .map((seg) => rfc3986(decodeURIComponent(seg)))
      .join("/"),
    query,
    canonicalHeaders,
    signedHeaders,
    sha256(""),
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day!), region!), service!), "aws4_request");
  const expected = createHmac("sha256", key).update(toSign, "utf8").digest("hex");
  return expected === signature ? { arn: creds.arn } : { error: "signature does not match" };
}

/** Serves `handler(arn, path)` for verified GETs on 127.0.0.1. */
export async function startSigV4StandIn(
  known: readonly KnownCredentials[] | (() => readonly KnownCredentials[]),
  handler: (arn: string, path: string) => { status: number; body: unknown },
  opts: { region: string; service?: string; now?: () => number },
): Promise<SigV4StandIn> {
  const seen = { verified: 0, rejected: [] as string[] };
  const server = http.createServer((req, res) => {
    const v = verifySigV4(
      { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers },
      typeof known === "function" ? known() : known,
      { region: opts.region, service: opts.service ?? "execute-api", now: (opts.now ?? Date.now)() },
    );
    if ("error" in v) {
      seen.rejected.push(v.error);
      res.writeHead(403, { "content-type": "application/json" }).end(JSON.stringify({ message: v.error }));
      return;
    }
    seen.verified++;
    const out = handler(v.arn, new URL(req.url ?? "/", "http://x").pathname);
    res.writeHead(out.status, { "content-type": "application/json" }).end(JSON.stringify(out.body));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}
