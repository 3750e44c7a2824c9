import { describe, expect, it } from "vitest";
import { installMocks, unwrap } from "../testing";
import { modelAccessStatements, type ModelAccessSpec } from "./model-access";

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
const resolve = async (s: ReturnType<typeof modelAccessStatements>) => JSON.parse(await unwrap((await import("@pulumi/pulumi")).jsonStringify(s)));

describe("modelAccessStatements", () => {
  it("reaches the geography's models only through the stage's profiles", async () => {
    await installMocks({ accountId: "111111111111", region: "us-east-1" });
    const [profiles, models, read, list] = await resolve(modelAccessStatements(spec()));
    expect(profiles.Resource).toEqual([`arn:aws:bedrock:us-east-1:111111111111:inference-profile/us.${SONNET}`]);
    expect(models.Resource).toEqual([`arn:aws:bedrock:us-*::foundation-model/${SONNET}`, `arn:aws:bedrock:ca-*::foundation-model/${SONNET}`]);
    expect(models.Condition).toEqual({ StringEquals: { "bedrock:InferenceProfileArn": profiles.Resource } });
    expect(read.Action).toEqual(["bedrock:GetInferenceProfile"]);
    expect(list).toEqual({ Sid: "ListProfiles", Effect: "Allow", Action: ["bedrock:ListInferenceProfiles"], Resource: ["*"] });
  });

  it("global profiles add the Region-less foundation-model ARN", async () => {
    const [, models] = await resolve(modelAccessStatements(spec({ crossRegion: "global" })));
    expect(models.Resource).toEqual([`arn:aws:bedrock:*::foundation-model/${SONNET}`, `arn:aws:bedrock:::foundation-model/${SONNET}`]);
    expect(models.Condition.StringEquals["bedrock:InferenceProfileArn"]).toEqual([`arn:aws:bedrock:us-east-1:111111111111:inference-profile/global.${SONNET}`]);
  });

  it("in-Region on-demand calls the source-Region model directly", async () => {
    const statements = await resolve(modelAccessStatements(spec({ crossRegion: "none" })));
    expect(statements[0]).toEqual({ Sid: "InvokeModelsBehindProfiles", Effect: "Allow", Action: ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], Resource: [`arn:aws:bedrock:us-east-1::foundation-model/${SONNET}`] });
  });

  it("includes application profiles and the API-key deny", async () => {
    const app = "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc";
    const statements = await resolve(modelAccessStatements(spec({ applicationProfileArns: [app], denyBearerTokens: true })));
    expect(statements[0].Resource).toContain(app);
    expect(statements.at(-1)).toEqual({ Sid: "DenyBedrockApiKeys", Effect: "Deny", Action: ["bedrock:CallWithBearerToken"], Resource: ["*"] });
  });

  it("refuses an empty model list", () => expect(() => modelAccessStatements(spec({ models: [] }))).toThrow(/at least one model/));
});
