import * as aws from "@pulumi/aws";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, policyOf, type ResourceRecorder, settle, unwrap } from "../testing";
import type * as Rules from "../rules";
import type * as Telemetry from "./index";

let recorder: ResourceRecorder;
let telemetry: typeof Telemetry;
let rules: typeof Rules;

beforeAll(async () => {
  recorder = await installMocks({ accountId: "333333333333", region: "us-east-1" });
  telemetry = await import("./index.js");
  rules = await import("../rules/index.js");
});
beforeEach(() => recorder.clear());

describe("CrossAccountMetrics", () => {
  it("creates a sink that only the source accounts may link to, for metrics only, and a link in each source account", async () => {
    const inference = new aws.Provider("inference", { region: "us-east-1", allowedAccountIds: ["222222222222"] });
    const x = new telemetry.CrossAccountMetrics("xam", {
      namePrefix: "ccb-prod",
      organizationId: "o-exampleorg1",
      sources: [{ key: "inference", accountId: "222222222222", provider: inference }],
    });
    await unwrap(x.sinkArn);
    await settle();
    const sink = recorder.one("aws:oam/sink:Sink", "xam-sink");
    expect(sink.account).toBe("333333333333");
    expect(sink.inputs.name).toBe("ccb-prod-telemetry");
    const [statement] = policyOf(recorder.one("aws:oam/sinkPolicy:SinkPolicy", "xam-sink-policy").inputs.policy)!.Statement;
    expect(statement).toEqual({
      Sid: "SourceAccountsLink",
      Effect: "Allow",
      Principal: { AWS: ["222222222222"] },
      Action: ["oam:CreateLink", "oam:UpdateLink"],
      Resource: ["*"],
      Condition: {
        "ForAllValues:StringEquals": { "oam:ResourceTypes": ["AWS::CloudWatch::Metric"] },
        StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1" },
      },
    });
    const link = recorder.one("aws:oam/link:Link", "xam-link-inference");
    expect(link.account).toBe("222222222222");
    expect(link.inputs.resourceTypes).toEqual(["AWS::CloudWatch::Metric"]);
    expect(link.inputs.sinkIdentifier).toMatch(/^arn:aws:oam:us-east-1:333333333333:/);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("refuses bad args, naming them", () => {
    expect(() => new telemetry.CrossAccountMetrics("bad", { namePrefix: "p", organizationId: "org", sources: [] })).toThrow(
      /`sources` needs at least one account.*`organizationId`/,
    );
  });
});
