import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./testing";

/**
 * `pulumi up` loads this program with the Pulumi CLI's own TypeScript loader (its vendored ts-node,
 * the repository's TypeScript and the root tsconfig.json), not with vitest. This runs the program
 * exactly that way, on the mock engine, so a loader incompatibility shows up here and not at deploy time.
 */
describe.each(["pilot", "prod"])("the Pulumi language host loads the %s program", (stack) => {
  it("compiles through Pulumi's TypeScript loader and exports the helper settings", () => {
    const out = execFileSync(process.execPath, [path.join(repoRoot, "stacks", "pulumi-loader-check.cjs"), repoRoot, stack], {
      encoding: "utf8",
      timeout: 60_000,
    });
    const summary = JSON.parse(out);
    expect(summary.loader).toBe("ts-node@7.0.1");
    expect(summary.transpileOnly).toBe(true);
    expect(summary.stage).toBe(stack);
    expect(summary.roleArn).toMatch(new RegExp(`^arn:aws:iam::\\d{12}:role/ccb-${stack}-federation-users$`));
    expect(summary.outputs).toEqual(
      expect.arrayContaining([
        "helperSettings",
        "userRoleArn",
        "teamInferenceProfiles",
        "alarmTopicArn",
        "telemetryEndpoint",
        "quotaLimitsTable",
        "registryLoginCommand",
      ]),
    );
    expect(summary.resources).toBeGreaterThan(20);
  });
});
