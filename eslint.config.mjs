// Lint rules shared by every project. Module boundaries are enforced here:
// the credential helper and the Lambda runtime packages never import Pulumi, the component
// library never imports stack code, nothing imports the Lambda runtime code directly
// (it is bundled as an asset), the contracts import nothing (they are bundled into every Lambda
// and the helper, and are the one place both sides of a seam agree on), no package reaches
// into another package's `src/` (public entry points only, e.g. `@ccb/infra/inventory`), and only
// tests import @ccb/test-support (it starts processes; nothing that ships may depend on it).
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import pulumi from "@pulumi/eslint-plugin";
import { importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

const noPulumi = {
  group: ["@pulumi/*", "@ccb/infra", "@ccb/infra/*", "@ccb/stacks", "@ccb/policy-pack"],
  message: "Runtime code (CLI, Lambdas) must not depend on Pulumi or the component library.",
};
const noRuntimeImports = {
  group: [
    "@ccb/quota-functions",
    "@ccb/quota-functions/*",
    "@ccb/telemetry-functions",
    "@ccb/telemetry-functions/*",
    "@ccb/credential-helper",
    "@ccb/credential-helper/*",
  ],
  message: "Lambda and CLI code are bundled as assets or artifacts, never imported by infrastructure code.",
};
const noOtherPackagesSrc = {
  // The runtime packages' own src/ is refused by noRuntimeImports where it applies (one message per import).
  group: [
    ...["infra", "contracts", "helper-distribution", "policy-pack"].flatMap((p) => [`@ccb/${p}/src`, `@ccb/${p}/src/**`]),
    "**/packages/*/src/**",
    "../../*/src/**",
    "../../../*/src/**",
    "../../../../*/src/**",
  ],
  message: "Import another package through its public entry point (package.json main or exports), never its src/ folder.",
};
const contractsOnly = {
  group: ["@ccb/*", "@pulumi/*", "@aws-sdk/*", "@smithy/*", "aws-lambda", "@types/aws-lambda"],
  message: "@ccb/contracts is pure TypeScript: it must not import the rest of the repository, Pulumi or the AWS SDK.",
};
const noTestSupport = {
  group: ["@ccb/test-support", "@ccb/test-support/*"],
  message: "@ccb/test-support is for tests only (*.test.ts, test/): code that ships must never import it.",
};
const testCode = ["**/*.test.ts", "**/test/**"];
/** The boundary rules of `files`: everywhere the given patterns, outside test code also no test support. */
const boundaries = (files, patterns) => [
  { files, rules: { "no-restricted-imports": ["error", { patterns }] } },
  { files, ignores: testCode, rules: { "no-restricted-imports": ["error", { patterns: [...patterns, noTestSupport] }] } },
];
const noStacks = {
  group: ["@ccb/stacks", "@ccb/stacks/*", "**/stacks/**"],
  message: "The component library must not depend on stack composition.",
};

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.tools/**", "**/*.cjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "no-console": "off",
    },
  },
  {
    // Pulumi's own rules where Pulumi code is: an Output in a plain template literal renders as a warning
    // text instead of its value (pulumi.interpolate or .apply is needed). They need type information.
    files: ["packages/infra/**/*.ts", "stacks/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  {
    // No import cycles anywhere: a cycle is two modules that can only be understood (and bundled)
    // together. Dynamic imports count too: a lazy import does not make a cycle go away.
    plugins: { "import-x": importX },
    settings: {
      "import-x/extensions": [".ts", ".mts", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".mts"] },
      "import-x/resolver-next": [
        createTypeScriptImportResolver({ project: ["packages/*/tsconfig.json", "stacks/tsconfig.json"], noWarnOnMultipleProjects: true }),
      ],
    },
    rules: { "import-x/no-cycle": ["error", { allowUnsafeDynamicCyclicDependency: false }] },
  },
  // Packages without boundary rules of their own (helper distribution, test support) still keep
  // test support out of the code that ships; the blocks below restate it with their own patterns.
  {
    files: ["packages/**/*.ts", "stacks/**/*.ts"],
    ignores: testCode,
    rules: { "no-restricted-imports": ["error", { patterns: [noTestSupport] }] },
  },
  ...boundaries(
    [
      "packages/credential-helper/**/*.ts",
      "packages/quota-functions/**/*.ts",
      "packages/telemetry-functions/**/*.ts",
      "packages/stage-verify/**/*.ts",
      "packages/test-support/**/*.ts",
    ],
    [noPulumi, noOtherPackagesSrc],
  ),
  {
    // One test, never bundled: it runs infra's analytics named queries (DuckDB lake) over the pricing
    // object the price source wrote to S3, so the table's reader and the Lambda's writer meet in one test.
    files: ["packages/quota-functions/src/prices/analytics-pricing.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ ...noPulumi, group: noPulumi.group.filter((g) => g !== "@ccb/infra" && g !== "@ccb/infra/*") }, noOtherPackagesSrc],
        },
      ],
    },
  },
  {
    // @ccb/*, and so the test support, is refused here everywhere, tests included.
    files: ["packages/contracts/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [contractsOnly] }] },
  },
  ...boundaries(["packages/infra/**/*.ts", "packages/policy-pack/**/*.ts"], [noStacks, noRuntimeImports, noOtherPackagesSrc]),
  ...boundaries(["stacks/**/*.ts"], [noRuntimeImports, noOtherPackagesSrc]),
);
