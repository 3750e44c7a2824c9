/**
 * Issuer URLs, normalised in one place. IAM keys its OIDC provider and condition keys on the issuer
 * without scheme; the id_token's `iss` must match the provider URL exactly. IdPs differ in how their
 * issuers look, and the usual mistakes (trailing slash, Entra v1 vs v2, Cognito Region) are fixed or
 * rejected here.
 */

export type IdentityProviderKind = "okta" | "entra" | "auth0" | "cognito-user-pool" | "generic";

export interface NormalisedIssuer {
  /** `https://host/path`, no trailing slash: the IAM OIDC provider URL. */
  readonly url: string;
  /**
   * Exactly what the IdP puts in the token's `iss` (and its discovery document's `issuer`): the
   * value every exact comparison uses (the helper, the load balancer's and the collector's token
   * validation, the quota API's authorizer). Equal to `url` except for Auth0, whose issuer ends with `/`.
   */
  readonly iss: string;
  /** `host/path`: the IAM provider name and condition-key prefix. */
  readonly key: string;
  readonly kind: IdentityProviderKind;
}

export class IssuerError extends Error {
  override name = "IssuerError";
}

const COGNITO = /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com\/([a-z0-9-]+)_([A-Za-z0-9]+)$/;

/** Normalises an issuer for a kind of IdP; throws `IssuerError` with the fix when it cannot be right. */
export function normalizeIssuer(raw: string, kind: IdentityProviderKind = "generic"): NormalisedIssuer {
  let value = raw.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new IssuerError(`issuer "${raw}" is not a URL; use the issuer from the IdP's /.well-known/openid-configuration`);
  }
  if (url.protocol !== "https:") throw new IssuerError(`issuer "${raw}" must use https (IAM accepts only https OIDC providers)`);
  if (url.search || url.hash) throw new IssuerError(`issuer "${raw}" must not have a query or fragment`);
  if (url.port && url.port !== "443") throw new IssuerError(`issuer "${raw}" must not name a port`);
  value = `https://${url.hostname.toLowerCase()}${url.pathname.replace(/\/+$/, "")}`;
  if (value.endsWith("/.well-known/openid-configuration")) {
    throw new IssuerError(`issuer "${raw}" is the discovery document; drop "/.well-known/openid-configuration"`);
  }

  switch (kind) {
    case "entra": {
      const m = /^https:\/\/(login\.microsoftonline\.com|sts\.windows\.net)\/([0-9a-f-]{36})(\/v2\.0)?$/.exec(value);
      if (!m) throw new IssuerError(`Entra ID issuer "${raw}" must be https://login.microsoftonline.com/<tenant-id>/v2.0`);
      if (m[1] === "sts.windows.net" || !m[3]) {
        throw new IssuerError(
          `Entra ID issuer "${raw}" is the v1 issuer; v2 tokens (which the helper requests) carry https://login.microsoftonline.com/${m[2]}/v2.0 — use that, and set accessTokenAcceptedVersion 2 in the app manifest`,
        );
      }
      break;
    }
    case "cognito-user-pool": {
      const m = COGNITO.exec(value);
      if (!m) throw new IssuerError(`Cognito issuer "${raw}" must be https://cognito-idp.<region>.amazonaws.com/<user-pool-id>`);
      if (m[1] !== m[2])
        throw new IssuerError(
          `Cognito issuer "${raw}": the user pool ${m[2]}_${m[3]} lives in ${m[2]}, not ${m[1]}; use https://cognito-idp.${m[2]}.amazonaws.com/${m[2]}_${m[3]}`,
        );
      break;
    }
    case "okta":
      if (
        !/^https:\/\/[a-z0-9.-]+\.(okta|oktapreview|okta-emea)\.com(\/oauth2\/[A-Za-z0-9]+)?$/.test(value) &&
        !/^https:\/\/[a-z0-9.-]+(\/oauth2\/[A-Za-z0-9]+)?$/.test(value)
      ) {
        throw new IssuerError(`Okta issuer "${raw}" must be https://<org>.okta.com or https://<org>.okta.com/oauth2/<server-id>`);
      }
      break;
    case "auth0":
      // Auth0 is the one IdP whose `iss` ends with a slash; IAM strips it, so the key has none.
      return { url: value, iss: `${value}/`, key: value.replace(/^https:\/\//, ""), kind };
    case "generic":
      break;
  }
  return { url: value, iss: value, key: value.replace(/^https:\/\//, ""), kind };
}

/** Cognito user pool issuer for a pool id (`<region>_<id>`): the Region comes from the id. */
export function cognitoUserPoolIssuer(userPoolId: string): string {
  const m = /^([a-z]{2}(?:-gov)?-[a-z]+-\d)_[A-Za-z0-9]+$/.exec(userPoolId);
  if (!m) throw new IssuerError(`"${userPoolId}" is not a Cognito user pool id (<region>_<id>)`);
  return `https://cognito-idp.${m[1]}.amazonaws.com/${userPoolId}`;
}
