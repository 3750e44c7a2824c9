/** `stage.helper.caBundlePath`: validated in the stage config and published as the helper settings' `caBundle`. */
import { parseStageSettings } from "@ccb/contracts";
import { describe, expect, it } from "vitest";
import { parseStageConfig } from "./config/stage-config";
import { configProblemsOf, put, rawStage, runStage } from "./testing";

const problemsWith = (caBundlePath: unknown): string[] => configProblemsOf("pilot", (raw) => put(raw, "helper.caBundlePath", caBundlePath));

describe("stage.helper.caBundlePath", () => {
  it.each(["/etc/ssl/certs/corp-root-ca.pem", "C:\\ProgramData\\corp\\root-ca.crt", "/opt/corp/ROOT.CER"])("accepts %s", (file) => {
    expect(problemsWith(file)).toEqual([]);
  });

  it("refuses a relative path, saying it must be absolute", () => {
    expect(problemsWith("corp-root-ca.pem")).toEqual([
      expect.stringMatching(
        /^stage\.helper\.caBundlePath: "corp-root-ca\.pem" is not an absolute path: give the path where developer machines/,
      ),
    ]);
  });

  it("refuses a file that is not a PEM certificate file", () => {
    expect(problemsWith("/etc/ssl/private/corp.key")).toEqual([
      'stage.helper.caBundlePath: "/etc/ssl/private/corp.key" is not a PEM file: the helper reads .pem, .crt or .cer files of PEM certificates',
    ]);
  });

  it("refuses an empty value and a misspelt key", () => {
    expect(problemsWith("")).toEqual([expect.stringMatching(/^stage\.helper\.caBundlePath: is required: the absolute path of a PEM file/)]);
    const raw = rawStage("pilot");
    put(raw, "helper.caBundle", "/etc/ssl/corp.pem");
    expect(() => parseStageConfig("pilot", raw)).toThrow(/stage\.helper\.caBundle: is not a known key; known keys here: caBundlePath;/);
  });

  it("is published in the helper settings when set, and absent otherwise", async () => {
    const set = await runStage("pilot", (c) => put(c, "helper.caBundlePath", "/etc/ssl/certs/corp-root-ca.pem"));
    expect(parseStageSettings(set.outputs.helperSettings).caBundle).toBe("/etc/ssl/certs/corp-root-ca.pem");
    const unset = await runStage("pilot");
    expect(parseStageSettings(unset.outputs.helperSettings)).not.toHaveProperty("caBundle");
  });
});
