/**
 * A local stand-in for AWS STS (and the two Cognito Identity calls, and a quota endpoint) on 127.0.0.1.
 * It verifies the web identity token it receives against the provider's JWKS (issuer, audience, expiry,
 * signature) as STS would, checks the RoleSessionName rules, issues credentials, and answers
 * `GetCallerIdentity` for SigV4 requests signed with credentials it issued.
 */
import * as http from "node:http";
import * as https from "node:https";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import type { TestTls } from "./idp.js";

export interface StsError {
  readonly code: string;
  readonly message: string;
  readonly status?: number;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly arn: string;
  readonly sessionName: string;
  readonly email?: string;
  /** The SSO portal's role credentials in full, so IAM-authorised stand-ins can verify SigV4 signatures. */
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
}

export interface StsStandIn {
  readonly endpoint: string;
  /** Calls by action name. */
  readonly calls: Record<string, number>;
  readonly issued: IssuedCredentials[];
  /** Answer the next AssumeRoleWithWebIdentity calls with this error (until cleared). */
  failWith?: StsError;
  /** Quota answers for GET /check: a JSON body, or an HTTP status, or "hang". */
  quota?: { status?: number; body?: unknown; hang?: boolean };
  quotaCalls: number;
  durationSeconds?: number;
  /** Bedrock Converse calls that passed the signature's access key check. */
  readonly converse: Array<{ modelId: string; accessKeyId: string; maxTokens?: number }>;
  /** Model ids the Bedrock stand-in answers with AccessDeniedException. */
  readonly deniedModels: Set<string>;
  /** OTLP metric names received at /v1/metrics with a valid bearer token. */
  readonly otlpMetrics: string[];
  close(): Promise<void>;
}

const xmlError = (e: StsError) =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${e.message}</Message></Error><RequestId>e2e</RequestId></ErrorResponse>`;

/**
 * `tls`: serve https://localhost:<port> with that certificate; `jwks`: verify tokens against these keys
 * instead of fetching the provider's JWKS (which this process could not trust over a test CA).
 */
export async function startSts(opts: {
  issuer: string;
  jwksUri: string;
  audience: string;
  accountId?: string;
  tls?: TestTls;
  jwks?: JSONWebKeySet;
}): Promise<StsStandIn> {
  const jwks = opts.jwks ? createLocalJWKSet(opts.jwks) : createRemoteJWKSet(new URL(opts.jwksUri));
  const account = opts.accountId ?? "111111111111";
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }) : http.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;

  const sts: StsStandIn = {
    endpoint: opts.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    calls: {},
    issued: [],
    quotaCalls: 0,
    converse: [],
    deniedModels: new Set(),
    otlpMetrics: [],
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };

  const verify = async (token: string) => (await jwtVerify(token, jwks, { issuer: opts.issuer, audience: opts.audience })).payload;

  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString();
      const url = new URL(req.url ?? "/", sts.endpoint);
      try {
        if (req.method === "GET" && url.pathname === "/federation/credentials") {
          // IAM Identity Center portal: GetRoleCredentials for a bearer token written by `aws sso login`.
          sts.calls.GetRoleCredentials = (sts.calls.GetRoleCredentials ?? 0) + 1;
          const token = req.headers["x-amz-sso_bearer_token"];
          if (token !== "e2e-sso-access-token")
            return void res
              .writeHead(401, { "content-type": "application/json" })
              .end(JSON.stringify({ message: "Session token not found or invalid" }));
          const akid = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
          const role = url.searchParams.get("role_name");
          const secretAccessKey = randomBytes(20).toString("base64");
          const sessionToken = randomBytes(40).toString("base64");
          sts.issued.push({
            accessKeyId: akid,
            arn: `arn:aws:sts::${url.searchParams.get("account_id")}:assumed-role/AWSReservedSSO_${role}_0123456789abcdef/alice@example.com`,
            sessionName: "alice@example.com",
            secretAccessKey,
            sessionToken,
          });
          return void res
            .writeHead(200, { "content-type": "application/json" })
            .end(
              JSON.stringify({ roleCredentials: { accessKeyId: akid, secretAccessKey, sessionToken, expiration: Date.now() + 3600_000 } }),
            );
        }
        const converse = /^\/model\/([^/]+)\/converse$/.exec(url.pathname);
        if (req.method === "POST" && converse) {
          // Bedrock runtime: the SigV4 signature must name credentials this stand-in issued.
          const modelId = decodeURIComponent(converse[1]!);
          const m = /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/\d{8}\/([a-z0-9-]+)\/bedrock\/aws4_request/.exec(
            req.headers.authorization ?? "",
          );
          const bedrockError = (status: number, type: string, message: string) =>
            res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type }).end(JSON.stringify({ message }));
          if (!m || !sts.issued.some((i) => i.accessKeyId === m[1]))
            return void bedrockError(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
          if (sts.deniedModels.has(modelId))
            return void bedrockError(403, "AccessDeniedException", `You don't have access to the model with the specified model ID.`);
          const input = JSON.parse(body) as { inferenceConfig?: { maxTokens?: number } };
          sts.converse.push({
            modelId,
            accessKeyId: m[1]!,
            ...(input.inferenceConfig?.maxTokens !== undefined ? { maxTokens: input.inferenceConfig.maxTokens } : {}),
          });
          return void res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({
              output: { message: { role: "assistant", content: [{ text: "OK" }] } },
              stopReason: "max_tokens",
              usage: { inputTokens: 12, outputTokens: 1, totalTokens: 13 },
              metrics: { latencyMs: 3 },
            }),
          );
        }
        if (req.method === "POST" && url.pathname === "/v1/metrics") {
          const auth = req.headers.authorization ?? "";
          try {
            await verify(auth.replace(/^Bearer /, ""));
          } catch {
            return void res.writeHead(401).end();
          }
          const doc = JSON.parse(body) as { resourceMetrics?: Array<{ scopeMetrics?: Array<{ metrics?: Array<{ name: string }> }> }> };
          for (const rm of doc.resourceMetrics ?? [])
            for (const sm of rm.scopeMetrics ?? []) for (const metric of sm.metrics ?? []) sts.otlpMetrics.push(metric.name);
          return void res.writeHead(200, { "content-type": "application/json" }).end("{}");
        }
        if (req.method === "GET" && url.pathname === "/check") {
          sts.quotaCalls++;
          const q = sts.quota ?? { body: { allowed: true } };
          if (q.hang) return; // never answers: the helper's timeout decides
          const auth = req.headers.authorization ?? "";
          if (!auth.startsWith("Bearer ")) return void res.writeHead(401).end();
          await verify(auth.slice(7));
          return void res.writeHead(q.status ?? 200, { "content-type": "application/json" }).end(JSON.stringify(q.body ?? {}));
        }
        const target = req.headers["x-amz-target"];
        if (typeof target === "string" && target.startsWith("AWSCognitoIdentityService.")) {
          const action = target.split(".")[1]!;
          sts.calls[action] = (sts.calls[action] ?? 0) + 1;
          const input = JSON.parse(body) as { Logins?: Record<string, string>; IdentityId?: string };
          const token = Object.values(input.Logins ?? {})[0];
          if (!token) throw Object.assign(new Error("no login"), { code: "NotAuthorizedException" });
          const claims = await verify(token);
          const identityId = `us-east-1:${String(claims.sub).padEnd(8, "0")}-0000-0000-0000-000000000000`;
          const json = (o: unknown) => res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(o));
          if (action === "GetId") return json({ IdentityId: identityId });
          const akid = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
          sts.issued.push({
            accessKeyId: akid,
            arn: `arn:aws:sts::${account}:assumed-role/cognito/${claims.email}`,
            sessionName: "cognito",
            email: String(claims.email),
          });
          return json({
            IdentityId: identityId,
            Credentials: {
              AccessKeyId: akid,
              SecretKey: randomBytes(20).toString("base64"),
              SessionToken: randomBytes(40).toString("base64"),
              Expiration: Math.floor(Date.now() / 1000) + 3600,
            },
          });
        }
        const form = new URLSearchParams(body);
        const action = form.get("Action") ?? "?";
        sts.calls[action] = (sts.calls[action] ?? 0) + 1;
        if (action === "AssumeRoleWithWebIdentity") {
          if (req.headers.authorization)
            return void res
              .writeHead(400)
              .end(xmlError({ code: "InvalidRequest", message: "AssumeRoleWithWebIdentity must not be signed" }));
          if (sts.failWith)
            return void res.writeHead(sts.failWith.status ?? 400, { "content-type": "text/xml" }).end(xmlError(sts.failWith));
          const session = form.get("RoleSessionName") ?? "";
          if (!/^[\w+=,.@-]{2,64}$/.test(session))
            return void res.writeHead(400).end(xmlError({ code: "ValidationError", message: "bad RoleSessionName" }));
          let claims;
          try {
            claims = await verify(form.get("WebIdentityToken") ?? "");
          } catch (e) {
            return void res
              .writeHead(400, { "content-type": "text/xml" })
              .end(xmlError({ code: "InvalidIdentityToken", message: (e as Error).message }));
          }
          const role = form.get("RoleArn") ?? "";
          const duration = Number(form.get("DurationSeconds") ?? 3600);
          sts.durationSeconds = duration;
          const akid = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
          const arn = `arn:aws:sts::${account}:assumed-role/${role.split("/").pop()}/${session}`;
          sts.issued.push({ accessKeyId: akid, arn, sessionName: session, email: String(claims.email) });
          const exp = new Date(Date.now() + duration * 1000).toISOString();
          return void res
            .writeHead(200, { "content-type": "text/xml" })
            .end(
              `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>` +
                `<SubjectFromWebIdentityToken>${claims.sub}</SubjectFromWebIdentityToken><Audience>${opts.audience}</Audience>` +
                `<AssumedRoleUser><Arn>${arn}</Arn><AssumedRoleId>AROAE2E:${session}</AssumedRoleId></AssumedRoleUser>` +
                `<Credentials><AccessKeyId>${akid}</AccessKeyId><SecretAccessKey>${randomBytes(20).toString("base64")}</SecretAccessKey>` +
                `<SessionToken>${randomBytes(60).toString("base64")}</SessionToken><Expiration>${exp}</Expiration></Credentials>` +
                `<Provider>${opts.issuer}</Provider></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>e2e</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
            );
        }
        if (action === "GetCallerIdentity") {
          const m = /Credential=([A-Z0-9]+)\//.exec(req.headers.authorization ?? "");
          const who = sts.issued.find((i) => i.accessKeyId === m?.[1]);
          if (!who)
            return void res
              .writeHead(403, { "content-type": "text/xml" })
              .end(xmlError({ code: "InvalidClientTokenId", message: "unknown access key", status: 403 }));
          return void res
            .writeHead(200, { "content-type": "text/xml" })
            .end(
              `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${who.arn}</Arn><UserId>AROAE2E:${who.sessionName}</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>e2e</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
            );
        }
        res.writeHead(400, { "content-type": "text/xml" }).end(xmlError({ code: "InvalidAction", message: action }));
      } catch (e) {
        const code = (e as { code?: string }).code ?? "InternalFailure";
        res
          .writeHead(400, { "content-type": "application/x-amz-json-1.1" })
          .end(JSON.stringify({ __type: code, message: (e as Error).message }));
      }
    });
  });
  return sts;
}
