// Loads the program the way the Pulumi CLI's Node.js language host does (its TypeScript loader, the
// root tsconfig.json, `main: stacks/`), on the mock engine, and prints a summary as JSON. Used by
// stacks/pulumi-loader.test.ts to prove `pulumi up` can load this program without a build step.
const path = require("node:path");
const fs = require("node:fs");
const root = process.argv[2];
const stack = process.argv[3] ?? "pilot";
process.chdir(root);
const pulumi = require("@pulumi/pulumi");
const { typeScriptRequireStrings, loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils");
const { tsnodeRequire, typescriptRequire } = typeScriptRequireStrings();
const compilerOptions = loadTypeScriptCompilerOptions("tsconfig.json");
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly: compilerOptions.noCheck,
  project: "tsconfig.json",
  skipProject: false,
  compilerOptions: {},
});
const yaml = require("yaml");
const main = yaml.parse(fs.readFileSync("Pulumi.yaml", "utf8")).main;
const config = yaml.parse(fs.readFileSync(`Pulumi.${stack}.yaml`, "utf8")).config;
const { installMocks, settle } = require("@ccb/infra/inventory");
installMocks({ accountId: String(config["claude-code-bedrock:stage"].accounts.inference.id), region: config["aws:region"], stack }).then(
  async (recorder) => {
    pulumi.runtime.setAllConfig({
      "claude-code-bedrock:stage": JSON.stringify(config["claude-code-bedrock:stage"]),
      "aws:region": config["aws:region"],
    });
    const program = require(path.resolve(main));
    const settings = await new Promise((resolve) =>
      program.helperSettings.apply((s) => {
        resolve(s);
        return s;
      }),
    );
    await settle();
    process.stdout.write(
      JSON.stringify({
        loader: path.basename(tsnodeRequire),
        transpileOnly: compilerOptions.noCheck === true,
        stage: settings.stage,
        roleArn: settings.federation.roleArn,
        outputs: Object.keys(program).sort(),
        resources: recorder.resources.length,
      }),
    );
  },
);
