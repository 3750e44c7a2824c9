import { describe, expect, it } from "vitest";
import { DistributionError } from "../src/errors";
import { checkVersion, readStageInput, splitPackageName, tarballFileName } from "../src/stage-input";
import { pilotSettings } from "./harness/stage";

const outputs = (helperSettings: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ helperSettings, ...extra });
const read = (text: string, o: Partial<Parameters<typeof readStageInput>[1]> = {}) =>
  readStageInput(text, { stage: "pilot", source: "pilot-outputs.json", ...o });
const failure = (f: () => unknown): DistributionError => {
  try {
    f();
  } catch (e) {
    if (e instanceof DistributionError) return e;
    throw e;
  }
  throw new Error("expected a DistributionError");
};

describe("readStageInput", () => {
  it("takes helperSettings from the stack outputs and the package name from its distribution block", () => {
    const input = read(outputs(pilotSettings(), { registryEndpoint: "x" }));
    expect(input.packageName).toBe("@example/claude-bedrock");
    expect(input.registryUrl).toBe("https://ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/");
    expect(input.settings.stage).toBe("pilot");
  });

  it("gives the same canonical text whatever the key order", () => {
    const a = read(outputs(pilotSettings())).settingsText;
    const reversed = Object.fromEntries(Object.entries(pilotSettings()).reverse());
    expect(read(outputs(reversed)).settingsText).toBe(a);
    expect(a.endsWith("}\n")).toBe(true);
  });

  it("lets --package-name override the stage's package", () => {
    expect(read(outputs(pilotSettings()), { packageName: "@acme/claude-bedrock-pilot" }).packageName).toBe("@acme/claude-bedrock-pilot");
  });

  it.each([
    ["not JSON", "{", "ERR_OUTPUTS", /not JSON/],
    ["a single output instead of all", JSON.stringify(pilotSettings()), "ERR_OUTPUTS", /no `helperSettings` output/],
    ["a secret output", outputs("[secret]"), "ERR_OUTPUTS", /"\[secret\]"/],
    ["another stage's outputs", outputs(pilotSettings({ stage: "prod" })), "ERR_OUTPUTS", /stage "prod", not "pilot"/],
    ["invalid settings", outputs(pilotSettings({ region: "mars-1" })), "ERR_SETTINGS", /\$\.region/],
    [
      "http registry",
      outputs(pilotSettings({ distribution: { registryUrl: "http://registry.example.com/", packageName: "@example/x" } })),
      "ERR_SETTINGS",
      /must use https/,
    ],
    ["no package name anywhere", outputs(pilotSettings({ distribution: undefined })), "ERR_PACKAGE_NAME", /names no package/],
  ])("refuses %s with a fix", (_name, text, code, message) => {
    const e = failure(() => read(text));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.fix).toBeTruthy();
  });

  it("refuses an unscoped package name (it could resolve on public npm)", () => {
    const e = failure(() => read(outputs(pilotSettings()), { packageName: "claude-bedrock" }));
    expect(e.code).toBe("ERR_PACKAGE_NAME");
    expect(e.fix).toMatch(/scope/);
  });

  it("refuses a bad stage name before reading anything", () => {
    expect(failure(() => read(outputs(pilotSettings()), { stage: "Pilot!" })).code).toBe("ERR_USAGE");
  });
});

describe("names and versions", () => {
  it("splits scoped names and names tarballs like npm pack", () => {
    expect(splitPackageName("@acme/claude-bedrock")).toEqual({ scope: "acme", name: "claude-bedrock" });
    expect(tarballFileName("@acme/claude-bedrock", "1.2.3-rc.1")).toBe("acme-claude-bedrock-1.2.3-rc.1.tgz");
  });

  it("accepts semver and refuses build metadata", () => {
    expect(checkVersion("1.2.3")).toBe("1.2.3");
    expect(checkVersion("1.2.3-rc.1")).toBe("1.2.3-rc.1");
    expect(() => checkVersion("1.2.3+build.5")).toThrow(/not a semantic version/);
    expect(() => checkVersion("01.2.3")).toThrow(DistributionError);
  });
});
