import * as path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The module boundaries are lint rules (eslint.config.mjs). These cases prove the rules fire where
 * they must and stay quiet where imports are allowed, so a config edit cannot silently drop them.
 */
const root = path.resolve(__dirname, "..", "..", "..");
const eslint = new ESLint({
  cwd: root,
  // The snippets are not files of a TypeScript project: lint them without type information, and so without
  // the type-aware Pulumi rules (they run on every real file of the library and the stacks in `npm run lint`).
  overrideConfig: [
    {
      files: ["packages/infra/**/*.ts", "stacks/**/*.ts"],
      languageOptions: { parserOptions: { projectService: false } },
      rules: { "@pulumi/no-output-in-template-literal": "off", "@pulumi/no-output-instance-in-template-literal": "off" },
    },
  ],
});

async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

// Linting a file that imports @ccb/infra resolves its whole type graph for the cycle rule: tens of seconds on a busy machine.
describe("module boundaries", { timeout: 180_000 }, () => {
  it.each([
    [
      "packages/credential-helper/src/x.ts",
      'import * as pulumi from "@pulumi/pulumi";\nexport const p = pulumi;',
      /must not depend on Pulumi/,
    ],
    [
      "packages/quota-functions/src/x.ts",
      'import { iam } from "@ccb/infra";\nexport const i = iam;',
      /must not depend on Pulumi or the component library/,
    ],
    [
      "packages/infra/src/x.ts",
      'import { deployStage } from "@ccb/stacks";\nexport const d = deployStage;',
      /must not depend on stack composition/,
    ],
    ["packages/infra/src/x.ts", 'import { handler } from "@ccb/quota-functions";\nexport const h = handler;', /bundled as assets/],
    ["stacks/x.ts", 'import { handler } from "@ccb/quota-functions/src/aggregate";\nexport const h = handler;', /bundled as assets/],
    ["packages/contracts/src/x.ts", 'import * as pulumi from "@pulumi/pulumi";\nexport const p = pulumi;', /contracts is pure TypeScript/],
    [
      "packages/contracts/src/x.ts",
      'import { STSClient } from "@aws-sdk/client-sts";\nexport const s = STSClient;',
      /contracts is pure TypeScript/,
    ],
    ["packages/contracts/src/x.ts", 'import { iam } from "@ccb/infra";\nexport const i = iam;', /contracts is pure TypeScript/],
    ["stacks/x.ts", 'import { policyOf } from "@ccb/infra/src/testing";\nexport const p = policyOf;', /public entry point/],
    ["packages/policy-pack/src/x.ts", 'import { allRules } from "@ccb/infra/src/rules";\nexport const r = allRules;', /public entry point/],
    [
      "packages/quota-functions/src/x.ts",
      'import { checkQuota } from "../../credential-helper/src/quota.js";\nexport const c = checkQuota;',
      /public entry point/,
    ],
  ])("%s: refuses %s", async (file, code, message) => {
    const found = await violations(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it.each([
    ["packages/credential-helper/src/x.ts", 'import { parseStageSettings } from "@ccb/contracts";\nexport const p = parseStageSettings;'],
    ["stacks/x.ts", 'import { iam } from "@ccb/infra";\nexport const i = iam;'],
    ["packages/infra/src/x.ts", 'import * as pulumi from "@pulumi/pulumi";\nexport const p = pulumi;'],
    ["stacks/x.ts", 'import { policyOf } from "@ccb/infra/inventory";\nexport const p = policyOf;'],
    ["packages/policy-pack/src/x.ts", 'import { allRules } from "@ccb/infra/rules";\nexport const r = allRules;'],
    ["packages/quota-functions/src/x.ts", 'import { parsePriceBook } from "@ccb/contracts";\nexport const p = parsePriceBook;'],
    ["packages/infra/src/x.ts", 'import { parsePriceBook } from "@ccb/contracts";\nexport const p = parsePriceBook;'],
  ])("%s: allows %s", async (file, code) => {
    expect(await violations(file, code)).toEqual([]);
  });

  it("stacks/x.ts: an Output in a plain template literal is refused by Pulumi's own rule (with type information)", async () => {
    const typed = new ESLint({
      cwd: root,
      overrideConfig: [
        { files: ["stacks/**/*.ts"], languageOptions: { parserOptions: { projectService: { allowDefaultProject: ["stacks/x.ts"] } } } },
      ],
    });
    const code = 'import * as pulumi from "@pulumi/pulumi";\nexport const a = pulumi.output("x");\nexport const b = `arn:${a}`;\n';
    const [result] = await typed.lintText(code, { filePath: path.join(root, "stacks/x.ts") });
    expect(result!.messages.map((m) => m.ruleId)).toContain("@pulumi/no-output-in-template-literal");
    const fixed = code.replace("`arn:${a}`", "pulumi.interpolate`arn:${a}`");
    const [clean] = await typed.lintText(fixed, { filePath: path.join(root, "stacks/x.ts") });
    expect(clean!.messages.filter((m) => m.ruleId?.startsWith("@pulumi/"))).toEqual([]);
  });
});
