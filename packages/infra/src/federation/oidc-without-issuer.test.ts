/** OidcFederation without an issuer: an IAM Identity Center stage with no corporate IdP needs only the developer boundary. */
import { describe, expect, it } from "vitest";
import { validateOidcFederationArgs } from "./oidc-federation";

describe("validateOidcFederationArgs without an issuer", () => {
  it("accepts the boundary alone when no role is created", () => {
    expect(validateOidcFederationArgs({ createRole: false, boundaryNamePrefix: "ccb-idc" })).toEqual([]);
  });

  it("refuses to create the role, which would trust no IdP", () => {
    expect(validateOidcFederationArgs({ boundaryNamePrefix: "ccb-idc" })).toEqual([
      "`issuer` is required to create the role: the role trusts that IdP's tokens",
    ]);
  });

  it("refuses provider settings that describe an issuer it was not given", () => {
    expect(validateOidcFederationArgs({ createRole: false, clientIds: ["abc"] })).toEqual([
      "`existingProviderArn` and `clientIds` describe an issuer's provider: give `issuer` as well",
    ]);
  });
});
