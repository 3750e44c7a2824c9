// Lint rules shared by every project. Module boundaries are enforced here:
// the credential helper and the Lambda runtime packages never import Pulumi, the component
// library never imports stack code, and nothing imports the Lambda runtime code directly
// (it is bundled as an asset).
import tseslint from "typescript-eslint";

const noPulumi = {
  group: ["@pulumi/*", "@ccb/infra", "@ccb/infra/*", "@ccb/stacks", "@ccb/policy-pack"],
  message: "Runtime code (CLI, Lambdas) must not depend on Pulumi or the component library.",
};
const noRuntimeImports = {
  group: ["@ccb/quota-functions", "@ccb/quota-functions/*", "@ccb/telemetry-functions", "@ccb/telemetry-functions/*", "@ccb/credential-helper", "@ccb/credential-helper/*"],
  message: "Lambda and CLI code are bundled as assets or artifacts, never imported by infrastructure code.",
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
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "no-console": "off",
    },
  },
  {
    files: ["packages/credential-helper/**/*.ts", "packages/quota-functions/**/*.ts", "packages/telemetry-functions/**/*.ts", "packages/stage-settings/**/*.ts", "packages/stage-verify/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noPulumi] }] },
  },
  {
    files: ["packages/infra/**/*.ts", "packages/policy-pack/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noStacks, noRuntimeImports] }] },
  },
  {
    files: ["stacks/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noRuntimeImports] }] },
  },
);
