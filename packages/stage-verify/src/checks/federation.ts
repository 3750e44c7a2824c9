import { GetOpenIDConnectProviderCommand, GetRoleCommand } from "@aws-sdk/client-iam";
import { ok, fail, errText, missingOutput, type CheckResult, type VerifyContext } from "./context";
import { tlsChainFingerprints } from "./http";

/** Federation: the OIDC provider (issuer, audience, discovery, pinned thumbprints) and the user role's trust and boundary. */

/** A trust policy statement as IAM returns it (only the fields the checks read). */
interface TrustStatement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Principal?: { readonly Federated?: string | string[] };
  readonly Condition?: { readonly StringEquals?: Record<string, string | string[]> };
}
/** The IAM OIDC provider trusts the stage's issuer and client id, and the IdP agrees. */
export async function oidcProviderChecks(ctx: VerifyContext): Promise<CheckResult[]> {
  const { s, c } = ctx;
  const check = "oidc-provider";
  if (!s.oidcProviderArn) return [missingOutput(check, "oidcProviderArn")];
  const out: CheckResult[] = [];
  const p = await c.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: s.oidcProviderArn }));
  const want = s.issuer.replace(/^https?:\/\//, "").replace(/\/$/, "");
  const got = (p.Url ?? "").replace(/^https?:\/\//, "").replace(/\/$/, "");
  out.push(
    got === want
      ? ok(`${check} url`, `${s.oidcProviderArn} trusts ${got}`)
      : fail(
          `${check} url`,
          `the provider's URL is ${got}, the stage's issuer is ${want}`,
          "set identityProvider.issuer to exactly the `iss` of your id_tokens and run `pulumi up` (the provider is replaced)",
        ),
  );
  const audiences = s.federationMode === "direct" ? [s.clientId] : [s.clientId];
  const missingAud = audiences.filter((a) => !(p.ClientIDList ?? []).includes(a));
  out.push(
    missingAud.length === 0
      ? ok(`${check} audience`, `client id ${s.clientId} is an audience`)
      : fail(
          `${check} audience`,
          `client id ${missingAud.join(", ")} is not in the provider's audiences (${(p.ClientIDList ?? []).join(", ") || "none"})`,
          "set identityProvider.clientId to the helper's app registration and run `pulumi up`",
        ),
  );
  out.push(await discoveryCheck(ctx, check));
  out.push(...(await thumbprintChecks(ctx, check, p.ThumbprintList ?? [])));
  return out;
}

/** The IdP's discovery document must name the same issuer, or every AssumeRoleWithWebIdentity fails. */
async function discoveryCheck({ s, doFetch }: VerifyContext, check: string): Promise<CheckResult> {
  try {
    const res = await doFetch(`${s.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
    const doc = res.ok ? ((await res.json()) as { issuer?: string }) : undefined;
    const discovered = doc?.issuer;
    return discovered === s.issuer
      ? ok(`${check} discovery`, `the IdP's discovery names issuer ${discovered}`)
      : fail(
          `${check} discovery`,
          doc
            ? `the IdP's discovery names issuer ${doc.issuer}, the stage says ${s.issuer}`
            : `the discovery document answered HTTP ${res.status}`,
          "copy `issuer` from the IdP's /.well-known/openid-configuration into identityProvider.issuer and run `pulumi up`",
        );
  } catch (e) {
    return fail(
      `${check} discovery`,
      `cannot read ${s.issuer}/.well-known/openid-configuration: ${errText(e)}`,
      "check identityProvider.issuer and that this machine can reach the IdP",
    );
  }
}

/**
 * AWS validates well-known IdPs against its own CA library and ignores thumbprints; a listed thumbprint
 * still has to match for other IdPs, so a stale one is reported.
 */
async function thumbprintChecks({ s, opts }: VerifyContext, check: string, pinned: readonly string[]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const thumbprints = pinned.map((t) => t.toLowerCase());
  if (thumbprints.length === 0) {
    out.push(ok(`${check} thumbprint`, "no thumbprint pinned (AWS verifies the IdP's certificate with its trusted CAs)"));
  } else {
    let chain: string[] = [];
    try {
      chain = await (opts.tlsFingerprints ?? tlsChainFingerprints)(s.issuer);
    } catch (e) {
      chain = [];
      out.push(
        fail(
          `${check} thumbprint`,
          `cannot read the IdP's certificate chain: ${errText(e)}`,
          "check identityProvider.issuer (https) and that this machine can reach the IdP",
        ),
      );
    }
    if (chain.length)
      out.push(
        thumbprints.some((t) => chain.includes(t))
          ? ok(`${check} thumbprint`, "a pinned thumbprint matches the IdP's certificate chain")
          : fail(
              `${check} thumbprint`,
              `none of the pinned thumbprints (${thumbprints.join(", ")}) is in the IdP's certificate chain`,
              "the IdP rotated its CA: update the provider's thumbprint (`aws iam update-open-id-connect-provider-thumbprint`) or remove it",
            ),
      );
  }
  return out;
}

/** The user role trusts only the stage's federation for its audience and carries the developer boundary. */
export async function userRoleChecks(ctx: VerifyContext): Promise<CheckResult[]> {
  const { s, c } = ctx;
  const check = "user-role";
  if (!s.userRoleArn) return [missingOutput(check, "userRoleArn")];
  const name = s.userRoleArn.split("/").pop()!;
  const role = (await c.iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
  const doc = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument ?? "{}")) as { Statement?: TrustStatement | TrustStatement[] };
  const statements = ([] as TrustStatement[]).concat(doc.Statement ?? []);
  const wantPrincipal = s.federationMode === "direct" ? s.oidcProviderArn : "cognito-identity.amazonaws.com";
  const wantAud = s.federationMode === "direct" ? s.clientId : s.identityPoolId;
  const trusting = statements.filter(
    (st) =>
      st.Effect === "Allow" &&
      ([] as string[]).concat(st.Action ?? []).includes("sts:AssumeRoleWithWebIdentity") &&
      ([] as string[]).concat(st.Principal?.Federated ?? []).includes(wantPrincipal ?? ""),
  );
  const audOk = trusting.some((st) =>
    Object.entries(st.Condition?.StringEquals ?? {}).some(
      ([k, v]) => k.endsWith(":aud") && ([] as string[]).concat(v).includes(wantAud ?? ""),
    ),
  );
  const others = statements.filter((st) => st.Effect === "Allow" && !trusting.includes(st));
  const out: CheckResult[] = [];
  out.push(
    trusting.length > 0 && audOk && others.length === 0
      ? ok(`${check} trust`, `${role.RoleName} trusts only ${wantPrincipal} for audience ${wantAud}`)
      : fail(
          `${check} trust`,
          trusting.length === 0
            ? `${role.RoleName} does not trust ${wantPrincipal} for sts:AssumeRoleWithWebIdentity`
            : !audOk
              ? `${role.RoleName}'s trust does not require audience ${wantAud}`
              : `${role.RoleName}'s trust has ${others.length} extra Allow statement(s)`,
          "the role's trust policy was changed outside Pulumi: run `pulumi up` to restore it (`pulumi preview --diff` shows the drift)",
        ),
  );
  const boundary = role.PermissionsBoundary?.PermissionsBoundaryArn;
  if (!s.userRoleBoundaryArn) out.push(missingOutput(`${check} boundary`, "userRoleBoundaryArn"));
  else
    out.push(
      boundary === s.userRoleBoundaryArn
        ? ok(`${check} boundary`, `boundary ${boundary}`)
        : fail(
            `${check} boundary`,
            boundary
              ? `the role's boundary is ${boundary}, the stage declares ${s.userRoleBoundaryArn}`
              : "the role has no permissions boundary",
            "run `pulumi up` to restore the developer boundary; find who removed it in CloudTrail (DeleteRolePermissionsBoundary)",
          ),
    );
  return out;
}
