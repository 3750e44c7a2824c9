import { describe, expect, it } from "vitest";
import { at, policyOf, settle, unwrap } from "../testing";
import { useMockedSuite } from "../testing/suite";

const suite = useMockedSuite(() => import("./index.js"));

const issuer = () => suite.module.normalizeIssuer("https://example.okta.com/oauth2/default", "okta");

describe("OidcFederation", () => {
  it("creates exactly the provider and the user role, named after the component", async () => {
    const f = new suite.module.OidcFederation("pilot-fed", {
      issuer: issuer(),
      clientIds: ["client-1"],
      allowedSubjects: ["00u1"],
      maxSessionHours: 12,
    });
    await unwrap(f.roleArn!);
    await settle();
    expect(suite.recorder.inventory()).toEqual([
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider pilot-fed-provider",
      "aws:iam/role:Role pilot-fed-users",
      "claude-code-bedrock:federation:OidcFederation pilot-fed",
    ]);
    const provider = suite.recorder.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "pilot-fed-provider");
    expect(provider.inputs.url).toBe("https://example.okta.com/oauth2/default");
    expect(provider.inputs.clientIdLists).toEqual(["client-1"]);
    const role = suite.recorder.one("aws:iam/role:Role", "pilot-fed-users");
    expect(role.inputs.maxSessionDuration).toBe(43200);
    expect(policyOf(role.inputs.assumeRolePolicy)!.Statement).toEqual([
      {
        Sid: "FederatedUsers",
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::111111111111:oidc-provider/example.okta.com/oauth2/default" },
        Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
        Condition: {
          StringEquals: { "example.okta.com/oauth2/default:aud": ["client-1"], "example.okta.com/oauth2/default:sub": ["00u1"] },
        },
      },
    ]);
    // Without `boundaryNamePrefix` the role carries no boundary, and the rules say so.
    expect(suite.rules.findingsOf(suite.recorder.resources).map((f) => f.rule)).toEqual(["iam-role-has-boundary"]);
  });

  it("creates the developer permissions boundary and sets it on the user role when asked", async () => {
    const f = new suite.module.OidcFederation("bounded", {
      issuer: issuer(),
      clientIds: ["c"],
      allowedSubjects: ["00u1"],
      boundaryNamePrefix: "ccb-test",
    });
    await unwrap(f.roleArn!);
    await settle();
    const boundary = suite.recorder.one("aws:iam/policy:Policy", "bounded-boundary");
    expect(boundary.inputs.name).toBe("ccb-test-developer-boundary");
    expect(policyOf(boundary.inputs.policy)!.Statement).toEqual([
      { Sid: "DeveloperSessionCeiling", Effect: "Allow", Action: [...suite.module.DEVELOPER_BOUNDARY_ACTIONS], Resource: ["*"] },
    ]);
    expect(suite.module.DEVELOPER_BOUNDARY_ACTIONS).toEqual(
      expect.arrayContaining([
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
        "codeartifact:ReadFromRepository",
        "execute-api:Invoke",
      ]),
    );
    expect(suite.module.DEVELOPER_BOUNDARY_ACTIONS.some((a) => a.startsWith("iam:") || a.startsWith("s3:") || a.includes("*"))).toBe(false);
    expect(suite.recorder.one("aws:iam/role:Role", "bounded-users").inputs.permissionsBoundary).toBe(
      "arn:aws:iam::111111111111:policy/ccb-test-developer-boundary",
    );
    expect(suite.rules.findingsOf(suite.recorder.resources)).toEqual([]);
  });

  it("creates no boundary unless asked", async () => {
    new suite.module.OidcFederation("plain", { issuer: issuer(), clientIds: ["c"], allowedSubjects: ["00u1"] });
    await settle();
    expect(suite.recorder.byType("aws:iam/policy:Policy")).toHaveLength(0);
    expect(suite.recorder.one("aws:iam/role:Role", "plain-users").inputs.permissionsBoundary).toBeUndefined();
  });

  it("uses an existing provider instead of creating a second one for the issuer", async () => {
    const arn = "arn:aws:iam::111111111111:oidc-provider/example.okta.com/oauth2/default";
    const f = new suite.module.OidcFederation("existing", {
      issuer: issuer(),
      clientIds: ["c"],
      existingProviderArn: arn,
      requiredSessionTag: { key: "claude-code", values: ["enabled"] },
    });
    expect(await unwrap(f.providerArn)).toBe(arn);
    await settle();
    expect(suite.recorder.byType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toHaveLength(0);
    const trust = policyOf(suite.recorder.one("aws:iam/role:Role", "existing-users").inputs.assumeRolePolicy)!.Statement[0];
    expect(at(trust.Principal, "Federated")).toBe(arn);
    expect(trust.Condition).toEqual({
      StringEquals: { "example.okta.com/oauth2/default:aud": ["c"], "aws:RequestTag/claude-code": ["enabled"] },
    });
  });

  it("requires the session tags of `requiredTagKeys` to be present (Null false), next to the restriction", async () => {
    new suite.module.OidcFederation("email-tag", {
      issuer: issuer(),
      clientIds: ["c"],
      requiredSessionTag: { key: "claude-code", values: ["enabled"] },
      requiredTagKeys: ["email"],
    });
    await settle();
    expect(policyOf(suite.recorder.one("aws:iam/role:Role", "email-tag-users").inputs.assumeRolePolicy)!.Statement).toEqual([
      {
        Sid: "FederatedUsers",
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::111111111111:oidc-provider/example.okta.com/oauth2/default" },
        Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
        Condition: {
          StringEquals: { "example.okta.com/oauth2/default:aud": ["c"], "aws:RequestTag/claude-code": ["enabled"] },
          Null: { "aws:RequestTag/email": "false" },
        },
      },
    ]);
    expect(suite.rules.findingsOf(suite.recorder.resources).map((f) => `${f.rule} ${f.resource}`)).toEqual([
      "iam-role-has-boundary email-tag-users",
    ]);
  });

  it("uses StringLike for subject patterns", async () => {
    new suite.module.OidcFederation("patterns", { issuer: issuer(), clientIds: ["c"], allowedSubjects: ["00u1*"] });
    await settle();
    const trust = policyOf(suite.recorder.one("aws:iam/role:Role", "patterns-users").inputs.assumeRolePolicy)!.Statement[0];
    expect(trust.Condition?.StringLike).toEqual({ "example.okta.com/oauth2/default:sub": ["00u1*"] });
  });

  it.each([
    [{ clientIds: [] }, /`clientIds` needs at least one client id/],
    [{ maxSessionHours: 13 }, /`maxSessionHours` must be a whole number from 1 to 12/],
    [{ allowedSubjects: [] }, /restrict the role/],
    [{ allowedSubjects: ["*"] }, /may not be only a wildcard/],
    [{ requiredTagKeys: ["e mail"] }, /`requiredTagKeys`: "e mail" is not a session tag key/],
    [{ requiredTagKeys: ["email", "email"] }, /`requiredTagKeys` lists a key twice/],
    [{ allowedSubjects: [], requiredTagKeys: ["email"] }, /restrict the role/],
  ])("refuses unsafe args %j", (override, message) => {
    expect(
      () => new suite.module.OidcFederation("bad", { issuer: issuer(), clientIds: ["c"], allowedSubjects: ["00u1"], ...override }),
    ).toThrowError(message);
  });
});

describe("CognitoIdentityPoolFederation", () => {
  it("creates an enhanced-flow pool without guests and an authenticated role with the same limits", async () => {
    const f = new suite.module.CognitoIdentityPoolFederation("pool", {
      issuer: issuer(),
      clientIds: ["client-1"],
      oidcProviderArn: "arn:aws:iam::111111111111:oidc-provider/example.okta.com/oauth2/default",
      allowedSubjects: ["00u1"],
      principalTags: { email: "email" },
      permissionsBoundaryArn: "arn:aws:iam::111111111111:policy/ccb-test-developer-boundary",
    });
    const poolId = await unwrap(f.identityPoolId);
    await settle();
    expect(suite.recorder.inventory()).toEqual([
      "aws:cognito/identityPool:IdentityPool pool-pool",
      "aws:cognito/identityPoolProviderPrincipalTag:IdentityPoolProviderPrincipalTag pool-principal-tags",
      "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment pool-roles",
      "aws:iam/role:Role pool-authenticated",
      "claude-code-bedrock:federation:CognitoIdentityPoolFederation pool",
    ]);
    const pool = suite.recorder.one("aws:cognito/identityPool:IdentityPool", "pool-pool");
    expect(pool.inputs.allowUnauthenticatedIdentities).toBe(false);
    expect(pool.inputs.allowClassicFlow).toBe(false);
    const tags = suite.recorder.one("aws:cognito/identityPoolProviderPrincipalTag:IdentityPoolProviderPrincipalTag", "pool-principal-tags");
    expect(tags.inputs.principalTags).toEqual({ idp_sub: "sub", email: "email" });
    const trust = policyOf(suite.recorder.one("aws:iam/role:Role", "pool-authenticated").inputs.assumeRolePolicy)!.Statement[0];
    expect(trust.Principal).toEqual({ Federated: "cognito-identity.amazonaws.com" });
    expect(trust.Condition).toEqual({
      StringEquals: { "cognito-identity.amazonaws.com:aud": [poolId], "aws:RequestTag/idp_sub": ["00u1"] },
      "ForAnyValue:StringEquals": { "cognito-identity.amazonaws.com:amr": ["authenticated"] },
    });
    expect(f.providerName).toBe("example.okta.com/oauth2/default");
    expect(suite.rules.findingsOf(suite.recorder.resources)).toEqual([]);
  });

  it("refuses a pool role without a subject or tag restriction", () => {
    expect(
      () =>
        new suite.module.CognitoIdentityPoolFederation("open", {
          issuer: issuer(),
          clientIds: ["c"],
          oidcProviderArn: "arn:aws:iam::1:oidc-provider/x",
        }),
    ).toThrow(/restrict the role/);
  });
});
