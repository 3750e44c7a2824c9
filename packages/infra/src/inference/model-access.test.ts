import { describe, expect, it } from "vitest";
import { installMocks, unwrap } from "../testing";
import { policyDocument, renderPolicy } from "../iam";
import { modelAccessStatements, type ModelAccessSpec, PRINCIPAL_TEAM_VARIABLE, TEAM_TAG_KEY } from "./model-access";

const SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const spec = (over: Partial<ModelAccessSpec> = {}): ModelAccessSpec => ({
  partition: "aws",
  accountId: "111111111111",
  region: "us-east-1",
  models: [SONNET],
  crossRegion: "us",
  applicationProfileArns: [],
  denyBearerTokens: false,
  ...over,
});
const resolve = async (s: ReturnType<typeof modelAccessStatements>) =>
  JSON.parse(await unwrap((await import("@pulumi/pulumi")).jsonStringify(s)));

describe("modelAccessStatements", () => {
  it("reaches the geography's models only through the stage's profiles", async () => {
    await installMocks({ accountId: "111111111111", region: "us-east-1" });
    const [profiles, models, read, list] = await resolve(modelAccessStatements(spec()));
    expect(profiles.Resource).toEqual([`arn:aws:bedrock:us-east-1:111111111111:inference-profile/us.${SONNET}`]);
    expect(models.Resource).toEqual([
      `arn:aws:bedrock:us-*::foundation-model/${SONNET}`,
      `arn:aws:bedrock:ca-*::foundation-model/${SONNET}`,
    ]);
    expect(models.Condition).toEqual({ StringEquals: { "bedrock:InferenceProfileArn": profiles.Resource } });
    expect(read.Action).toEqual(["bedrock:GetInferenceProfile"]);
    expect(list).toEqual({ Sid: "ListProfiles", Effect: "Allow", Action: ["bedrock:ListInferenceProfiles"], Resource: ["*"] });
  });

  it("global profiles add the Region-less foundation-model ARN", async () => {
    const [, models] = await resolve(modelAccessStatements(spec({ crossRegion: "global" })));
    expect(models.Resource).toEqual([`arn:aws:bedrock:*::foundation-model/${SONNET}`, `arn:aws:bedrock:::foundation-model/${SONNET}`]);
    expect(models.Condition.StringEquals["bedrock:InferenceProfileArn"]).toEqual([
      `arn:aws:bedrock:us-east-1:111111111111:inference-profile/global.${SONNET}`,
    ]);
  });

  it("in-Region on-demand calls the source-Region model directly", async () => {
    const statements = await resolve(modelAccessStatements(spec({ crossRegion: "none" })));
    expect(statements[0]).toEqual({
      Sid: "InvokeModelsBehindProfiles",
      Effect: "Allow",
      Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
      Resource: [`arn:aws:bedrock:us-east-1::foundation-model/${SONNET}`],
    });
  });

  it("includes application profiles and the API-key deny", async () => {
    const app = "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc";
    const statements = await resolve(modelAccessStatements(spec({ applicationProfileArns: [app], denyBearerTokens: true })));
    expect(statements[0].Resource).toContain(app);
    expect(statements.at(-1)).toEqual({
      Sid: "DenyBedrockApiKeys",
      Effect: "Deny",
      Action: ["bedrock:CallWithBearerToken"],
      Resource: ["*"],
    });
  });

  describe("restrictTeamProfiles", () => {
    const APP_A = "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/aaa";
    const APP_B = "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/bbb";
    const SYSTEM = `arn:aws:bedrock:us-east-1:111111111111:inference-profile/us.${SONNET}`;
    const INVOKE = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];

    it("splits the team profiles into their own statement, conditioned on the session's team tag; system profiles stay open", async () => {
      const statements = await resolve(
        modelAccessStatements(spec({ applicationProfileArns: [APP_A, APP_B], restrictTeamProfiles: true, denyBearerTokens: true })),
      );
      expect(statements).toEqual([
        { Sid: "InvokeThroughSystemProfiles", Effect: "Allow", Action: INVOKE, Resource: [SYSTEM] },
        {
          Sid: "InvokeOwnTeamProfiles",
          Effect: "Allow",
          Action: INVOKE,
          Resource: [APP_A, APP_B],
          Condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } },
        },
        {
          Sid: "InvokeModelsBehindProfiles",
          Effect: "Allow",
          Action: INVOKE,
          Resource: [`arn:aws:bedrock:us-*::foundation-model/${SONNET}`, `arn:aws:bedrock:ca-*::foundation-model/${SONNET}`],
          // Still every stage profile: whether a session may use a team's profile is decided on the profile.
          Condition: { StringEquals: { "bedrock:InferenceProfileArn": [SYSTEM, APP_A, APP_B] } },
        },
        { Sid: "ReadStageProfiles", Effect: "Allow", Action: ["bedrock:GetInferenceProfile"], Resource: [SYSTEM, APP_A, APP_B] },
        { Sid: "ListProfiles", Effect: "Allow", Action: ["bedrock:ListInferenceProfiles"], Resource: ["*"] },
        { Sid: "DenyBedrockApiKeys", Effect: "Deny", Action: ["bedrock:CallWithBearerToken"], Resource: ["*"] },
      ]);
    });

    it("renders the IAM policy variable literally (Pulumi interpolation leaves it alone)", async () => {
      expect(PRINCIPAL_TEAM_VARIABLE).toBe(`\${aws:PrincipalTag/${TEAM_TAG_KEY}}`);
      const json = await unwrap(
        renderPolicy(policyDocument(...modelAccessStatements(spec({ applicationProfileArns: [APP_A], restrictTeamProfiles: true })))),
      );
      expect(json).toContain('"Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}');
    });

    it("is one unconditioned statement for system and team profiles when off (the default)", async () => {
      for (const restrictTeamProfiles of [undefined, false]) {
        const [profiles] = await resolve(
          modelAccessStatements(
            spec({ applicationProfileArns: [APP_A], ...(restrictTeamProfiles === undefined ? {} : { restrictTeamProfiles }) }),
          ),
        );
        expect(profiles).toEqual({ Sid: "InvokeThroughStageProfiles", Effect: "Allow", Action: INVOKE, Resource: [SYSTEM, APP_A] });
      }
    });

    it("in-Region on-demand stages have no system profiles: only the conditioned team statement and the direct models", async () => {
      const statements = await resolve(
        modelAccessStatements(spec({ crossRegion: "none", applicationProfileArns: [APP_A], restrictTeamProfiles: true })),
      );
      expect(statements.slice(0, 2)).toEqual([
        {
          Sid: "InvokeOwnTeamProfiles",
          Effect: "Allow",
          Action: INVOKE,
          Resource: [APP_A],
          Condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } },
        },
        {
          Sid: "InvokeModelsBehindProfiles",
          Effect: "Allow",
          Action: INVOKE,
          Resource: [`arn:aws:bedrock:us-east-1::foundation-model/${SONNET}`],
        },
      ]);
    });

    it("without team profiles there is nothing to restrict", async () => {
      const [profiles] = await resolve(modelAccessStatements(spec({ restrictTeamProfiles: true })));
      expect(profiles).toEqual({ Sid: "InvokeThroughStageProfiles", Effect: "Allow", Action: INVOKE, Resource: [SYSTEM] });
    });
  });

  it("refuses an empty model list", () => expect(() => modelAccessStatements(spec({ models: [] }))).toThrow(/at least one model/));
});
