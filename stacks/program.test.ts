import { expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { at, installMocks, settle } from "@ccb/infra/inventory";
import { parseStageSettings } from "@ccb/contracts";
import { readStackConfig, resolveDeep } from "./testing";

it("the Pulumi entry point reads the stack's config object and exports the helper settings", async () => {
  const { stage, region } = readStackConfig("pilot");
  const recorder = await installMocks({ accountId: String(at(stage, "accounts", "inference", "id")), region, stack: "pilot" });
  pulumi.runtime.setAllConfig({ "claude-code-bedrock:stage": JSON.stringify(stage), "aws:region": region });
  const program = await import("./index.js");
  const settings = parseStageSettings(await resolveDeep(program.helperSettings));
  await settle();
  expect(settings.stage).toBe("pilot");
  expect(await resolveDeep(program.userRoleArn)).toBe("arn:aws:iam::111111111111:role/ccb-pilot-federation-users");
  expect(recorder.byType("claude-code-bedrock:inference:InferenceAccount")).toHaveLength(1);
  // Area outputs are top-level stack outputs, where `pulumi stack output <name>` and the tools find them.
  const exported = program as unknown as Record<string, unknown>;
  for (const name of ["telemetryEndpoint", "quotaLimitsTable", "quotaCheckUrl", "registryLoginCommand", "helperPackageName"]) {
    expect(await resolveDeep(exported[name]), name).toEqual(expect.any(String));
  }
});
