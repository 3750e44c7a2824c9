import { describe, expect, it } from "vitest";
import { cognitoUserPoolIssuer, IssuerError, normalizeIssuer } from "./issuer";

describe("normalizeIssuer", () => {
  it.each([
    ["okta", "https://Example.okta.com/oauth2/default/", "https://example.okta.com/oauth2/default", "example.okta.com/oauth2/default"],
    ["okta", "https://example.okta.com", "https://example.okta.com", "example.okta.com"],
    [
      "entra",
      "https://login.microsoftonline.com/0b8f3c1e-7d4a-4c9e-9f51-2a3b4c5d6e7f/v2.0",
      "https://login.microsoftonline.com/0b8f3c1e-7d4a-4c9e-9f51-2a3b4c5d6e7f/v2.0",
      "login.microsoftonline.com/0b8f3c1e-7d4a-4c9e-9f51-2a3b4c5d6e7f/v2.0",
    ],
    ["auth0", "https://acme.eu.auth0.com/", "https://acme.eu.auth0.com", "acme.eu.auth0.com"],
    [
      "cognito-user-pool",
      "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
      "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
      "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
    ],
    ["generic", "https://sso.example.com:443/realms/dev", "https://sso.example.com/realms/dev", "sso.example.com/realms/dev"],
  ] as const)("%s: %s", (kind, raw, url, key) => {
    expect(normalizeIssuer(raw, kind)).toEqual({ url, iss: kind === "auth0" ? `${url}/` : url, key, kind });
  });

  it("keeps Auth0's trailing slash in `iss` (what its tokens carry) but not in the IAM provider URL or keys", () => {
    const auth0 = normalizeIssuer("https://acme.eu.auth0.com", "auth0");
    expect([auth0.url, auth0.iss, auth0.key]).toEqual(["https://acme.eu.auth0.com", "https://acme.eu.auth0.com/", "acme.eu.auth0.com"]);
  });

  it.each([
    ["generic", "http://idp.example.com", /must use https/],
    ["generic", "not a url", /not a URL/],
    ["generic", "https://idp.example.com/.well-known/openid-configuration", /discovery document/],
    ["generic", "https://idp.example.com?x=1", /query or fragment/],
    ["generic", "https://idp.example.com:8443", /must not name a port/],
    ["entra", "https://sts.windows.net/0b8f3c1e-7d4a-4c9e-9f51-2a3b4c5d6e7f/", /v1 issuer[\s\S]*\/v2\.0/],
    ["entra", "https://login.microsoftonline.com/0b8f3c1e-7d4a-4c9e-9f51-2a3b4c5d6e7f", /v1 issuer/],
    ["entra", "https://login.microsoftonline.com/common/v2.0", /tenant-id/],
    ["cognito-user-pool", "https://cognito-idp.us-east-1.amazonaws.com/eu-west-1_AbC123", /lives in eu-west-1, not us-east-1/],
  ] as const)("%s rejects %s with the fix", (kind, raw, message) => {
    expect(() => normalizeIssuer(raw, kind)).toThrowError(IssuerError);
    expect(() => normalizeIssuer(raw, kind)).toThrowError(message);
  });
});

describe("cognitoUserPoolIssuer", () => {
  it("takes the Region from the pool id", () => {
    expect(cognitoUserPoolIssuer("ap-southeast-2_XyZ9")).toBe("https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_XyZ9");
  });
  it("rejects ids without a Region", () => expect(() => cognitoUserPoolIssuer("XyZ9")).toThrow(/not a Cognito user pool id/));
});
