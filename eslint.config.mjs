// Lint rules shared by every project. Module boundaries are enforced here:
// the credential helper and the Lambda runtime packages never import Pulumi, the component
// library never imports stack code, nothing imports the Lambda runtime code directly
// (it is bundled as an asset), the contracts import nothing (they are bundled into every Lambda
// and the helper, and are the one place both sides of a seam agree on), and no package reaches
// into another package's `src/` (public entry points only, e.g. `@ccb/infra/inventory`).
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
  {
    files: [
      "packages/credential-helper/**/*.ts",
      "packages/quota-functions/**/*.ts",
      "packages/telemetry-functions/**/*.ts",
      "packages/stage-verify/**/*.ts",
    ],
    rules: { "no-restricted-imports": ["error", { patterns: [noPulumi, noOtherPackagesSrc] }] },
  },
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
    files: ["packages/contracts/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [contractsOnly] }] },
  },
  {
    files: ["packages/infra/**/*.ts", "packages/policy-pack/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noStacks, noRuntimeImports, noOtherPackagesSrc] }] },
  },
  {
    files: ["stacks/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noRuntimeImports, noOtherPackagesSrc] }] },
  },
);
