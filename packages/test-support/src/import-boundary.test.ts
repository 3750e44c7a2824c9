import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * Only tests may import this package (eslint.config.mjs): these cases prove the rule fires in the code
 * that ships, in every package and the stacks, and stays quiet in test files, so that a config edit
 * cannot silently let a moto server into a Lambda, the helper or the Pulumi program.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const eslint = new ESLint({
  cwd: root,
  // The snippets belong to no TypeScript project: lint them without type information (and so without
  // the type-aware Pulumi rules, which `npm run lint` runs on every real file).
  overrideConfig: [
    {
      files: ["packages/infra/**/*.ts", "stacks/**/*.ts"],
      languageOptions: { parserOptions: { projectService: false } },
      rules: { "@pulumi/no-output-in-template-literal": "off", "@pulumi/no-output-instance-in-template-literal": "off" },
    },
  ],
});
const IMPORT = 'import { startMoto } from "@ccb/test-support";\nexport const s = startMoto;';

async function violations(file: string): Promise<string[]> {
  const [result] = await eslint.lintText(IMPORT, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("@ccb/test-support import boundary", { timeout: 120_000 }, () => {
  it.each([
    "packages/credential-helper/src/x.ts",
    "packages/quota-functions/src/aggregate/x.ts",
    "packages/quota-functions/src/testing/x.ts",
    "packages/telemetry-functions/src/x.ts",
    "packages/stage-verify/src/x.ts",
    "packages/helper-distribution/src/x.ts",
    "packages/infra/src/x.ts",
    "packages/policy-pack/src/x.ts",
    "stacks/x.ts",
  ])("%s (code that ships): refused", async (file) => {
    const found = await violations(file);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/for tests only/);
  });

  it("packages/contracts/src/x.ts: refused by the contracts' own rule (they import nothing of the repository)", async () => {
    expect(await violations("packages/contracts/src/x.ts")).toEqual([expect.stringMatching(/contracts is pure TypeScript/)]);
  });

  it.each([
    "packages/quota-functions/src/reconcile/x.test.ts",
    "packages/telemetry-functions/src/x.test.ts",
    "packages/stage-verify/test/x.test.ts",
    "packages/credential-helper/test/e2e/harness/x.ts",
    "packages/helper-distribution/test/x.test.ts",
    "packages/infra/src/x.test.ts",
    "stacks/x.test.ts",
  ])("%s (test code): allowed", async (file) => {
    expect(await violations(file)).toEqual([]);
  });

  it("test code keeps its package's other boundaries: a Lambda package's test still may not import Pulumi", async () => {
    const [result] = await eslint.lintText('import * as pulumi from "@pulumi/pulumi";\nexport const p = pulumi;', {
      filePath: path.join(root, "packages/quota-functions/src/x.test.ts"),
    });
    expect(result!.messages.map((m) => m.message)).toEqual([expect.stringMatching(/must not depend on Pulumi/)]);
  });
});
