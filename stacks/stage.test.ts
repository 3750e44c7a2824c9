import { describe, expect, it } from "vitest";
import { rules } from "@ccb/infra";
import { arr, at, obj, policyOf, statementBySid, stringsOf, type PolicyDocumentJson } from "@ccb/infra/inventory";
import { parseStageSettings } from "@ccb/contracts";
import { StageConfigError } from "./config/problems";
import { put, rawStage, runStage, type RawStage, type StageRun } from "./testing";

const runs = new Map<string, Promise<StageRun>>();
const run = (stage: string) => {
  if (!runs.has(stage)) runs.set(stage, runStage(stage));
  return runs.get(stage)!;
};

describe.each(["pilot", "prod"])("stage %s", (stage) => {
  it("passes every security rule", async () => {
    const { recorder } = await run(stage);
    const verdicts = rules.evaluateRules(recorder.resources);
    expect(verdicts.flatMap((v) => v.findings)).toEqual([]);
    // The rules really looked at the stage: the core ones inspected resources.
    for (const id of ["iam-no-wildcard-actions", "iam-federated-trust-pinned", "s3-tls-only", "logs-retention", "kms-key-rotation"]) {
      expect(verdicts.find((v) => v.rule === id)!.checked).toBeGreaterThan(0);
    }
  });

  it("outputs helper settings the credential helper accepts", async () => {
    const { outputs, recorder } = await run(stage);
    const settings = parseStageSettings(outputs.helperSettings);
    expect(settings.stage).toBe(stage);
    expect(settings.federation).toMatchObject({ mode: "direct", roleArn: outputs.userRoleArn });
    const profiles = recorder.byType("aws:bedrock/inferenceProfile:InferenceProfile");
    for (const team of settings.teams) {
      expect(team.models.primary).toMatch(/:application-inference-profile\//);
      expect(profiles.some((p) => at(p.inputs, "tags", "team") === team.name)).toBe(true);
    }
    expect(settings.models.primary).toBe("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    // The helper learns whether team profiles are restricted to their team's sessions (its doctor checks the team tag then).
    expect(settings.restrictTeamProfiles ?? false).toBe(at(rawStage(stage), "inference", "restrictTeamProfiles") ?? false);
  });

  it("creates one application inference profile per team and model role, tagged for cost reports", async () => {
    const { recorder } = await run(stage);
    const profiles = recorder.byType("aws:bedrock/inferenceProfile:InferenceProfile");
    const teams = new Set(profiles.map((p) => at(p.inputs, "tags", "team")));
    const roles = new Set(profiles.map((p) => at(p.inputs, "tags", "model-role")));
    expect(profiles).toHaveLength(teams.size * roles.size);
    for (const p of profiles)
      expect(Object.keys(obj(p.inputs.tags))).toEqual(expect.arrayContaining(["team", "cost-center", "model-role"]));
  });

  it("puts every resource in an account the stage names, through an explicit provider", async () => {
    const { recorder } = await run(stage);
    const providers = recorder.byType("pulumi:providers:aws");
    expect(providers.length).toBeGreaterThan(0);
    // Provider inputs reach the engine as JSON strings.
    const allowed = (p: (typeof providers)[number]): string[] => JSON.parse(String(p.inputs.allowedAccountIds));
    for (const p of providers) expect(allowed(p)).toHaveLength(1);
    const accounts = new Set(recorder.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.account));
    const named = new Set(providers.map((p) => allowed(p)[0]));
    for (const a of accounts) expect(a !== undefined && named.has(a)).toBe(true);
  });
});

describe("developer permissions boundary", () => {
  const allowedActions = (doc: PolicyDocumentJson | undefined): string[] =>
    (doc?.Statement ?? []).filter((st) => st.Effect === "Allow").flatMap((st) => stringsOf(st.Action));

  it.each([
    ["pilot", undefined],
    ["prod", undefined],
    ["pilot", "cognito-identity-pool"],
  ] as const)("%s (%s): the user role carries it, and every permission granted to the role fits inside it", async (stage, mode) => {
    const { recorder } = mode ? await runStage(stage, (c) => put(c, "federation.mode", mode)) : await run(stage);
    const boundary = recorder.one("aws:iam/policy:Policy", `ccb-${stage}-federation-boundary`);
    expect(boundary.inputs.name).toBe(`ccb-${stage}-developer-boundary`);
    const ceiling = new Set(allowedActions(policyOf(boundary.inputs.policy)));
    const roleName = mode ? `ccb-${stage}-identity-pool-authenticated` : `ccb-${stage}-federation-users`;
    const role = recorder.one("aws:iam/role:Role", roleName);
    expect(role.inputs.permissionsBoundary).toBe(`arn:aws:iam::${role.account}:policy/ccb-${stage}-developer-boundary`);
    const inline = recorder.byType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === roleName);
    const managedArns = new Set(
      recorder
        .byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => a.inputs.role === roleName)
        .map((a) => a.inputs.policyArn),
    );
    const managed = recorder
      .byType("aws:iam/policy:Policy")
      .filter((p) => managedArns.has(`arn:aws:iam::${p.account}:policy/${p.inputs.name}`));
    expect(inline.length).toBeGreaterThan(0);
    const granted = [...inline, ...managed].flatMap((p) => allowedActions(policyOf(p.inputs.policy)));
    expect(granted.length).toBeGreaterThan(0);
    expect(granted.filter((a) => !ceiling.has(a))).toEqual([]);
  });
});

describe("pilot versus prod", () => {
  it("pilot lives in one account; prod spans the inference and workload accounts with deploy roles", async () => {
    const pilot = await run("pilot");
    const prod = await run("prod");
    expect(new Set(pilot.recorder.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.account))).toEqual(
      new Set(["111111111111"]),
    );
    const prodAccounts = new Set(prod.recorder.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.account));
    expect(prodAccounts.has("222222222222")).toBe(true);
    expect(prodAccounts.has("444444444444")).toBe(true);
    for (const p of prod.recorder.byType("pulumi:providers:aws")) expect(p.inputs.assumeRoles).toBeDefined();
    expect(pilot.recorder.byType("pulumi:providers:aws").every((p) => p.inputs.assumeRoles === undefined)).toBe(true);
  });

  it("pilot names its users; prod requires the session tag the IdP sends", async () => {
    const trust = async (stage: string, name: string) =>
      policyOf((await run(stage)).recorder.one("aws:iam/role:Role", name).inputs.assumeRolePolicy)!.Statement[0];
    const pilot = await trust("pilot", "ccb-pilot-federation-users");
    const prod = await trust("prod", "ccb-prod-federation-users");
    expect(pilot.Condition?.StringEquals?.["example.okta.com/oauth2/default:sub"]).toEqual(["00u1alice", "00u1bob", "00u1carol"]);
    expect(pilot.Condition?.StringEquals?.["aws:RequestTag/claude-code"]).toBeUndefined();
    expect(prod.Condition?.StringEquals?.["aws:RequestTag/claude-code"]).toEqual(["enabled"]);
    expect(prod.Condition?.StringEquals?.["example.okta.com/oauth2/default:aud"]).toEqual(["0oa1prodclientid"]);
  });

  it("prod denies Bedrock API keys, keeps logs longer, allows 12-hour sessions and adds the opus profile", async () => {
    const pilot = (await run("pilot")).recorder;
    const prod = (await run("prod")).recorder;
    const grant = (r: typeof pilot, name: string) => policyOf(r.one("aws:iam/rolePolicy:RolePolicy", name).inputs.policy)!.Statement;
    expect(grant(pilot, "ccb-pilot-inference-invoke-developers").some((s) => s.Effect === "Deny")).toBe(false);
    expect(grant(prod, "ccb-prod-inference-invoke-developers").find((s) => s.Effect === "Deny")).toMatchObject({
      Action: ["bedrock:CallWithBearerToken"],
    });
    expect(pilot.one("aws:cloudwatch/logGroup:LogGroup", "ccb-pilot-inference-invocation-logs").inputs.retentionInDays).toBe(30);
    expect(prod.one("aws:cloudwatch/logGroup:LogGroup", "ccb-prod-inference-invocation-logs").inputs.retentionInDays).toBe(365);
    expect(pilot.one("aws:iam/role:Role", "ccb-pilot-federation-users").inputs.maxSessionDuration).toBe(8 * 3600);
    expect(prod.one("aws:iam/role:Role", "ccb-prod-federation-users").inputs.maxSessionDuration).toBe(12 * 3600);
    expect(prod.byType("aws:bedrock/inferenceProfile:InferenceProfile").some((p) => at(p.inputs, "tags", "model-role") === "opus")).toBe(
      true,
    );
    expect(pilot.byType("aws:bedrock/inferenceProfile:InferenceProfile").some((p) => at(p.inputs, "tags", "model-role") === "opus")).toBe(
      false,
    );
  });

  it("prod restricts each team's profiles to sessions tagged with that team; pilot grants every team's profiles to every session", async () => {
    const grant = async (stage: string) => {
      const policy = (await run(stage)).recorder.one("aws:iam/rolePolicy:RolePolicy", `ccb-${stage}-inference-invoke-developers`).inputs
        .policy;
      return { json: policy as string, statements: policyOf(policy)!.Statement };
    };
    const teamArns = async (stage: string) =>
      Object.values((await run(stage)).outputs.teamInferenceProfiles as Record<string, Record<string, string>>).flatMap((byRole) =>
        Object.values(byRole),
      );
    const system = (account: string, models: string[]) =>
      models.map((m) => `arn:aws:bedrock:us-east-1:${account}:inference-profile/us.${m}`);
    const invoke = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];

    const prod = await grant("prod");
    const prodTeams = await teamArns("prod");
    expect(prodTeams).toHaveLength(4 * 3);
    expect(prod.statements.slice(0, 2)).toEqual([
      {
        Sid: "InvokeThroughSystemProfiles",
        Effect: "Allow",
        Action: invoke,
        Resource: system("222222222222", [
          "anthropic.claude-sonnet-4-5-20250929-v1:0",
          "anthropic.claude-haiku-4-5-20251001-v1:0",
          "anthropic.claude-opus-4-5-20251101-v1:0",
        ]),
      },
      {
        Sid: "InvokeOwnTeamProfiles",
        Effect: "Allow",
        Action: invoke,
        Resource: prodTeams,
        Condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } },
      },
    ]);
    expect(prod.json).toContain('"aws:ResourceTag/team":"${aws:PrincipalTag/team}"');
    // The foundation models stay reachable through every stage profile (system and team).
    const prodModels = statementBySid(prod.statements, "InvokeModelsBehindProfiles");
    expect(prodModels.Condition?.StringEquals?.["bedrock:InferenceProfileArn"]).toEqual([
      ...stringsOf(prod.statements[0]?.Resource),
      ...prodTeams,
    ]);

    const pilot = await grant("pilot");
    const pilotTeams = await teamArns("pilot");
    expect(pilot.statements[0]).toEqual({
      Sid: "InvokeThroughStageProfiles",
      Effect: "Allow",
      Action: invoke,
      Resource: [
        ...system("111111111111", ["anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-haiku-4-5-20251001-v1:0"]),
        ...pilotTeams,
      ],
    });
    expect(pilot.json).not.toContain("PrincipalTag");
    expect(pilot.statements.map((st) => st.Sid)).not.toContain("InvokeOwnTeamProfiles");
  });

  it("only prod has the cross-account role, trusted within the organization, assumed by the named workload role", async () => {
    expect((await run("pilot")).recorder.byType("claude-code-bedrock:cross-account:CrossAccountRole")).toHaveLength(0);
    const prod = (await run("prod")).recorder;
    const role = prod.one("aws:iam/role:Role", "ccb-prod-xa-workload-invoke-role");
    expect(role.account).toBe("222222222222");
    expect(policyOf(role.inputs.assumeRolePolicy)!.Statement[0].Condition).toEqual({
      StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1" },
      ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::444444444444:role/ci-code-review"] },
    });
    const source = prod.one("aws:iam/rolePolicy:RolePolicy", "ccb-prod-xa-workload-invoke-assume-from-dev-tools-ci-code-review");
    expect(source.account).toBe("444444444444");
    expect(source.inputs.role).toBe("ci-code-review");
  });
});

describe("Auth0, whose tokens carry the issuer with a trailing slash", () => {
  it("keys IAM on the issuer without the slash and compares `iss` with it everywhere else", async () => {
    const { recorder, outputs } = await runStage("pilot", (c) => {
      put(c, "identityProvider.kind", "auth0");
      put(c, "identityProvider.issuer", "https://acme.eu.auth0.com/");
      put(c, "identityProvider.allowedSubjects", ["auth0|alice"]);
    });
    expect(recorder.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "ccb-pilot-federation-provider").inputs.url).toBe(
      "https://acme.eu.auth0.com",
    );
    const trust = policyOf(recorder.one("aws:iam/role:Role", "ccb-pilot-federation-users").inputs.assumeRolePolicy)!.Statement[0];
    expect(Object.keys(trust.Condition?.StringEquals ?? {})).toEqual(["acme.eu.auth0.com:aud", "acme.eu.auth0.com:sub"]);
    expect(at(outputs.helperSettings, "identityProvider", "issuer")).toBe("https://acme.eu.auth0.com/");
    const jwtRules = recorder
      .byType("aws:lb/listener:Listener")
      .flatMap((l) => arr(l.inputs.defaultActions).filter((a) => at(a, "type") === "jwt-validation"));
    expect(jwtRules.length).toBeGreaterThan(0);
    for (const a of jwtRules) expect(at(a, "jwtValidation", "issuer")).toBe("https://acme.eu.auth0.com/");
    expect(
      at(recorder.one("aws:apigatewayv2/authorizer:Authorizer", "ccb-pilot-quotas-api-jwt").inputs, "jwtConfiguration", "issuer"),
    ).toBe("https://acme.eu.auth0.com/");
  });
});

describe("a Cognito user pool as the identity provider", () => {
  const cognito = (c: RawStage) => {
    put(c, "identityProvider.kind", "cognito-user-pool");
    put(c, "identityProvider.issuer", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123");
  };

  it("registers the redirect on http://localhost, the only plain-http callback host Cognito accepts", async () => {
    const { outputs } = await runStage("pilot", cognito);
    const settings = parseStageSettings(outputs.helperSettings);
    expect(settings.identityProvider!.issuer).toBe("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123");
    expect(settings.identityProvider!.redirectHost).toBe("localhost");
  });

  it("takes an explicit redirectHost over the default", async () => {
    const { outputs } = await runStage("pilot", (c) => (cognito(c), put(c, "identityProvider.redirectHost", "127.0.0.1")));
    expect(parseStageSettings(outputs.helperSettings).identityProvider!.redirectHost).toBe("127.0.0.1");
  });

  it("other identity providers keep the 127.0.0.1 redirect unless told otherwise", async () => {
    const { outputs } = await run("pilot");
    expect(at(outputs.helperSettings, "identityProvider")).not.toHaveProperty("redirectHost");
    const local = await runStage("pilot", (c) => put(c, "identityProvider.redirectHost", "localhost"));
    expect(at(local.outputs.helperSettings, "identityProvider", "redirectHost")).toBe("localhost");
  });
});

describe("pull-request previews", () => {
  it("chain into each account's read-only ci-preview role instead of the deploy role", async () => {
    process.env.CCB_DEPLOY_ROLE_KIND = "preview";
    try {
      const { recorder } = await runStage("prod");
      const roles = recorder
        .byType("pulumi:providers:aws")
        .map((p) => JSON.parse(String(p.inputs.assumeRoles))[0].roleArn)
        .sort();
      expect(roles).toEqual([
        "arn:aws:iam::222222222222:role/ccb-prod-ci-preview",
        "arn:aws:iam::333333333333:role/ccb-prod-ci-preview",
        "arn:aws:iam::444444444444:role/ccb-prod-ci-preview",
      ]);
    } finally {
      delete process.env.CCB_DEPLOY_ROLE_KIND;
    }
    const { recorder } = await runStage("prod");
    expect(
      recorder
        .byType("pulumi:providers:aws")
        .every((p) => JSON.parse(String(p.inputs.assumeRoles))[0].roleArn.endsWith("/ccb-prod-ci-deploy")),
    ).toBe(true);
  });
});

describe("invalid stage configuration fails before anything is created", () => {
  it.each([
    [
      "a short account id",
      (c: RawStage) => put(c, "accounts.inference.id", "1234"),
      /stage\.accounts\.inference\.id: "1234" is not valid: expected a 12-digit AWS account id/,
    ],
    [
      "an http issuer",
      (c: RawStage) => put(c, "identityProvider.issuer", "http://example.okta.com"),
      /stage\.identityProvider\.issuer: issuer "http:\/\/example\.okta\.com" must use https/,
    ],
    ["an unknown Region", (c: RawStage) => put(c, "region", "us-middle-1"), /stage\.region: "us-middle-1" is not valid/],
    [
      "an unknown model",
      (c: RawStage) => put(c, "models.primary", "anthropic.claude-9"),
      /stage\.models\.primary: "anthropic\.claude-9" is not a known Claude model id/,
    ],
    [
      "a model without the profile",
      (c: RawStage) => (
        put(c, "models.primary", "anthropic.claude-opus-4-1-20250805-v1:0"),
        put(c, "models.crossRegion", "global"),
        put(c, "models.fast", "anthropic.claude-haiku-4-5-20251001-v1:0")
      ),
      /has no "global\." cross-Region profile/,
    ],
    [
      "a profile geography the source Region cannot use",
      (c: RawStage) => put(c, "models.crossRegion", "eu"),
      /"eu\." profiles are not available from us-east-1/,
    ],
    [
      "a team name that breaks tag rules",
      (c: RawStage) => put(c, ["teams", 0, "name"], "Platform Team!"),
      /stage\.teams\[0\]\.name: "Platform Team!" is not valid/,
    ],
    [
      "a cost center with forbidden characters",
      (c: RawStage) => put(c, ["teams", 0, "costCenter"], "CC;1"),
      /stage\.teams\[0\]\.costCenter/,
    ],
    [
      "a duplicated team",
      (c: RawStage) => put(c, "teams", [...arr(at(c, "teams")), { ...obj(arr(at(c, "teams"))[0]) }]),
      /team "platform" is listed twice/,
    ],
    ["no subject restriction", (c: RawStage) => put(c, "identityProvider.allowedSubjects", []), /restrict who may assume the Bedrock role/],
    [
      "a wildcard subject",
      (c: RawStage) => put(c, "identityProvider.allowedSubjects", ["*"]),
      /stage\.identityProvider\.allowedSubjects\[0\]: "\*" has a wildcard; list each user's exact `sub` value/,
    ],
    [
      "a 13-hour session",
      (c: RawStage) => put(c, "federation.sessionDurationHours", 13),
      /stage\.federation\.sessionDurationHours: must be a whole number from 1 to 12/,
    ],
    [
      "a retention CloudWatch does not offer",
      (c: RawStage) => put(c, "inference.invocationLogging.logRetentionDays", 45),
      /45 is not a CloudWatch retention/,
    ],
    [
      "an alarm email typo",
      (c: RawStage) => put(c, "inference.alarms.emails", ["ops-at-example.com"]),
      /stage\.inference\.alarms\.emails\[0\]/,
    ],
    [
      "restrictTeamProfiles without teams",
      (c: RawStage) => (put(c, "inference.restrictTeamProfiles", true), put(c, "teams", [])),
      /stage\.inference\.restrictTeamProfiles: restricts each team's inference profiles to that team's sessions, but stage\.teams lists no team; add teams or set it to false/,
    ],
    [
      "restrictTeamProfiles that is not a boolean",
      (c: RawStage) => put(c, "inference.restrictTeamProfiles", "yes"),
      /stage\.inference\.restrictTeamProfiles: must be true or false/,
    ],
    [
      "a redirect host that is not loopback",
      (c: RawStage) => put(c, "identityProvider.redirectHost", "0.0.0.0"),
      /stage\.identityProvider\.redirectHost: must be one of 127\.0\.0\.1, localhost \(got "0\.0\.0\.0"\)/,
    ],
    [
      "a stage name that differs from the stack",
      (c: RawStage) => put(c, "name", "prod"),
      /stage\.name: is "prod" but the stack is "pilot"/,
    ],
  ])("%s", async (_label, edit, message) => {
    const error = await runStage("pilot", edit).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StageConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/Pulumi\.pilot\.yaml/);
  });

  it("reports every problem at once", async () => {
    const error = (await runStage("pilot", (c) => {
      put(c, "region", "nowhere");
      put(c, "accounts.inference.id", "x");
    }).catch((e: unknown) => e)) as StageConfigError;
    expect(error.problems.length).toBeGreaterThanOrEqual(2);
  });

  it("a cross-account role needs an organization or an external id", async () => {
    const error = (await runStage("prod", (c) => delete c.organizationId).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/stage\.crossAccount\.roles\[0\]\.externalId: set stage\.organizationId or an externalId/);
  });
});

describe("Cognito Identity Pool federation, selected per stage", () => {
  it("swaps the direct role for the pool's authenticated role and still passes every rule", async () => {
    const { recorder, outputs } = await runStage("pilot", (c) => put(c, "federation.mode", "cognito-identity-pool"));
    expect(recorder.byType("aws:cognito/identityPool:IdentityPool")).toHaveLength(1);
    // The pool trusts tokens through the stage's IAM OIDC provider, which stays.
    expect(recorder.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "ccb-pilot-federation-provider").inputs.url).toBe(
      "https://example.okta.com/oauth2/default",
    );
    expect(recorder.resources.some((r) => r.name === "ccb-pilot-federation-users")).toBe(false);
    const grant = recorder.one("aws:iam/rolePolicy:RolePolicy", "ccb-pilot-inference-invoke-developers");
    expect(grant.inputs.role).toBe("ccb-pilot-identity-pool-authenticated");
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
    const settings = parseStageSettings(outputs.helperSettings);
    expect(settings.federation).toMatchObject({
      mode: "cognito-identity-pool",
      identityPoolRegion: "us-east-1",
      providerName: "example.okta.com/oauth2/default",
    });
  });
});
