/**
 * The telemetry token endpoint (HTTP API): `GET /token` is IAM-authorised (SigV4); API Gateway verifies
 * the signature and passes the caller's ARN in `requestContext.authorizer.iam`. Only two kinds of caller
 * get a token: an IAM Identity Center session of the stage's permission set (`AWSReservedSSO_<set>_…`,
 * whose session name IdC sets to the user name; the caller cannot choose it) and the workload roles the
 * stage lists. Nothing the client sends besides its signature decides who it is. `GET /.well-known/…`
 * serve the public key and the discovery document without authentication: they hold no secret and
 * grant nothing (a JWKS only lets others verify tokens), and the collector and the ALB must fetch them
 * without AWS credentials.
 */
import { issueToken, jwksOf, openIdConfiguration, type Signer, type TokenClaims } from "./jwt.js";

export interface UserAttributes {
  readonly email?: string;
  readonly team?: string;
  readonly department?: string;
  readonly costCenter?: string;
}

/** User attributes by IdC user name (identity store `GetUserId` + `DescribeUser`); undefined when unknown. */
export interface UserDirectory {
  attributesOf(userName: string): Promise<UserAttributes | undefined>;
}

export interface TokenEndpointConfig {
  /** The issuer: the API's base URL (https, no trailing slash). */
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  /** `AWSReservedSSO_<permission set>_`: IdC sessions of this prefix get a token keyed on their user name. */
  readonly identityCenterRolePrefix?: string;
  /** Exact role names of workloads (cross-account roles) that may report telemetry as themselves. */
  readonly workloadRoleNames: readonly string[];
  /** The account whose roles these are. */
  readonly accountId: string;
  /** Claim names for the attributes, as the collector reads them from the corporate IdP's tokens too. */
  readonly claimNames?: { readonly department?: string; readonly team?: string; readonly costCenter?: string };
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface TokenEvent {
  readonly rawPath?: string;
  readonly requestContext?: {
    readonly http?: { readonly method?: string; readonly path?: string };
    readonly authorizer?: { readonly iam?: { readonly userArn?: string } };
  };
}

const json = (statusCode: number, body: unknown, cache = "no-store"): HttpResult => ({
  statusCode,
  headers: { "content-type": "application/json", "cache-control": cache },
  body: JSON.stringify(body),
});
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The verified caller → claims, or the reason it gets no token. */
export async function claimsFor(
  userArn: string,
  cfg: TokenEndpointConfig,
  directory: UserDirectory,
): Promise<TokenClaims | { refused: string }> {
  const m = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+)$/.exec(userArn);
  if (!m) return { refused: "caller is not an assumed-role session" };
  const [, account, role, session] = m as unknown as [string, string, string, string];
  if (account !== cfg.accountId) return { refused: `caller is in account ${account}` };
  const base = { iss: cfg.issuer, aud: cfg.audience };
  if (cfg.identityCenterRolePrefix && role.startsWith(cfg.identityCenterRolePrefix)) {
    const attrs = await directory.attributesOf(session);
    const email = (attrs?.email ?? (EMAIL.test(session) ? session : undefined))?.toLowerCase();
    if (!email) return { refused: `IdC user ${session} has no email (neither the user name nor a primary email in the identity store)` };
    const n = {
      department: cfg.claimNames?.department ?? "department",
      team: cfg.claimNames?.team ?? "team",
      costCenter: cfg.claimNames?.costCenter ?? "cost_center",
    };
    return {
      ...base,
      sub: email,
      email,
      caller_type: "identity-center",
      ...(attrs?.team ? { [n.team]: attrs.team } : {}),
      ...(attrs?.department ? { [n.department]: attrs.department } : {}),
      ...(attrs?.costCenter ? { [n.costCenter]: attrs.costCenter } : {}),
    };
  }
  if (cfg.workloadRoleNames.includes(role)) {
    // A workload is keyed by its role, not by the session name its caller picked.
    return { ...base, sub: `arn:aws:iam::${account}:role/${role}`, caller_type: "workload" };
  }
  return { refused: `role ${role} may not report telemetry` };
}

export interface TokenDeps {
  readonly signer: Signer;
  readonly directory: UserDirectory;
  readonly config: TokenEndpointConfig;
  readonly now: () => number;
  readonly log: (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
}

export async function handleTokenRequest(event: TokenEvent, d: TokenDeps): Promise<HttpResult> {
  const path = event.rawPath ?? event.requestContext?.http?.path ?? "";
  try {
    if (path === "/.well-known/jwks.json") return json(200, await jwksOf(d.signer), "public, max-age=300");
    if (path === "/.well-known/openid-configuration") return json(200, openIdConfiguration(d.config.issuer), "public, max-age=300");
    if (path !== "/token") return json(404, { error: "not_found" });
    const arn = event.requestContext?.authorizer?.iam?.userArn;
    // Defence in depth: the route is AWS_IAM, so API Gateway never lets an unsigned request through.
    if (!arn) return json(401, { error: "unsigned", message: "sign the request with SigV4 (IAM Identity Center or workload credentials)" });
    const claims = await claimsFor(arn, d.config, d.directory);
    if ("refused" in claims) {
      d.log("warn", "token refused", { caller: arn, reason: claims.refused });
      return json(403, { error: "forbidden", message: claims.refused });
    }
    const { token, expiresAt } = await issueToken(d.signer, claims, d.now(), d.config.ttlSeconds);
    d.log("info", "token issued", { sub: claims.sub, callerType: claims.caller_type, expiresAt });
    return json(200, { token, expiresAt, ...(claims.email ? { email: claims.email } : {}) });
  } catch (e) {
    d.log("error", "token endpoint failed", { error: (e as Error).message });
    return json(503, { error: "unavailable", message: "the token service could not sign; try again shortly" });
  }
}
