import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, type ResourceRecorder, settle } from "../testing";

let recorder: ResourceRecorder;
let providers: typeof import("./index");
beforeAll(async () => {
  recorder = await installMocks({ accountId: "111111111111", region: "us-east-1" });
  providers = await import("./index.js");
});

describe("accountProvider", () => {
  it("pins the account, assumes the deploy role and sets default tags", async () => {
    providers.accountProvider("inf", {
      accountId: "222222222222",
      region: "eu-west-1",
      deployRoleArn: "arn:aws:iam::222222222222:role/deploy",
      sessionName: "pulumi-ccb",
      defaultTags: { stage: "prod" },
    });
    await settle();
    const p = recorder.one("pulumi:providers:aws", "inf");
    expect(JSON.parse(String(p.inputs.allowedAccountIds))).toEqual(["222222222222"]);
    expect(JSON.parse(String(p.inputs.assumeRoles))).toEqual([
      { roleArn: "arn:aws:iam::222222222222:role/deploy", sessionName: "pulumi-ccb" },
    ]);
    expect(JSON.parse(String(p.inputs.defaultTags))).toEqual({ tags: { stage: "prod" } });
    expect(p.account).toBe("222222222222");
    expect(p.region).toBe("eu-west-1");
  });
  it("refuses a deploy role from another account", () => {
    expect(() =>
      providers.accountProvider("x", {
        accountId: "222222222222",
        region: "us-east-1",
        deployRoleArn: "arn:aws:iam::333333333333:role/deploy",
        sessionName: "s",
        defaultTags: {},
      }),
    ).toThrow(/not in account 222222222222/);
  });
  it("refuses a malformed account id", () => {
    expect(() => providers.accountProvider("y", { accountId: "2222", region: "us-east-1", sessionName: "s", defaultTags: {} })).toThrow(
      /must be 12 digits/,
    );
  });
});
