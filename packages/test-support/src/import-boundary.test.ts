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
// The snippets are files of no TypeScript project; where the config runs type-aware rules (the Pulumi
// ones, in the component library and the stacks) the project service may open them as loose files.
const TYPED_SNIPPETS = ["packages/infra/src/x.ts", "packages/infra/src/x.test.ts", "stacks/x.ts", "stacks/x.test.ts"];
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [
    { files: TYPED_SNIPPETS, languageOptions: { parserOptions: { projectService: { allowDefaultProject: TYPED_SNIPPETS } } } },
  ],
});
const IMPORT = 'import { startMoto } from "@ccb/test-support";\nexport const s = startMoto;';

async function violations(file: string): Promise<string[]> {
  const [result] = await eslint.lintText(IMPORT, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

// Type-aware linting of the library and stacks snippets loads their type graphs: slow on a busy machine.
describe("@ccb/test-support import boundary", { timeout: 180_000 }, () => {
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
