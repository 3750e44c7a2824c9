/**
 * The npm package developers install: `package.json` (scoped name, `bin: claude-bedrock`, `engines`,
 * `publishConfig` pinned to the internal registry), the bundled helper, the stage settings it carries
 * and a README written for developers of that stage.
 */
import { createHash } from "node:crypto";
import type { StageSettings } from "@ccb/contracts";
import { loginCommand, npmrcLines, parseCodeArtifactUrl, tokenCommand } from "./codeartifact";
import { splitBundle } from "./bundle-parts";
import { splitPackageName } from "./stage-input";
import { tgzBytes, type TarEntry } from "./tar";

export const BIN_NAME = "claude-bedrock";
export const BIN_PATH = "bin/claude-bedrock.cjs";
/** The rest of the helper beside the entry (see bundle-parts.ts): what a warm command does not read. */
export const BIN_MAIN_PATH = "bin/claude-bedrock.main.cjs";
/** The bundle targets Node 20 (esbuild `target: node20`); developers may run any newer Node. */
export const NODE_ENGINES = ">=20";

export interface NpmPackageInput {
  readonly packageName: string;
  readonly version: string;
  readonly settings: StageSettings;
  readonly settingsText: string;
  /** The helper's single-file bundle; the package ships it split (bundle-parts.ts). */
  readonly bundle: Buffer;
  readonly registryUrl?: string;
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function packageJson(i: NpmPackageInput): Record<string, unknown> {
  return {
    name: i.packageName,
    version: i.version,
    description: `Claude Code on Amazon Bedrock for ${i.settings.organization} (stage ${i.settings.stage}): sign-in and AWS credentials for Claude Code`,
    license: "UNLICENSED",
    bin: { [BIN_NAME]: BIN_PATH },
    engines: { node: NODE_ENGINES },
    files: ["bin/", "stage-settings.json", "README.md"],
    // No dependencies: the bundle is self-contained, so installing pulls nothing from any registry.
    dependencies: {},
    ...(i.registryUrl ? { publishConfig: { registry: i.registryUrl } } : {}),
    claudeBedrock: {
      stage: i.settings.stage,
      awsProfile: i.settings.awsProfile,
      region: i.settings.region,
      settingsSha256: sha256(i.settingsText),
    },
  };
}

export function npmPackageEntries(i: NpmPackageInput): TarEntry[] {
  const { entry, main } = splitBundle(i.bundle);
  return [
    { path: "package/package.json", data: Buffer.from(`${JSON.stringify(packageJson(i), null, 2)}\n`) },
    { path: `package/${BIN_PATH}`, data: entry, executable: true },
    { path: `package/${BIN_MAIN_PATH}`, data: main },
    { path: "package/stage-settings.json", data: Buffer.from(i.settingsText) },
    { path: "package/README.md", data: Buffer.from(developerReadme(i)) },
  ];
}

export function npmTarball(i: NpmPackageInput): Buffer {
  return tgzBytes(npmPackageEntries(i));
}

/** The README a developer reads on the registry page and in the installed package. */
export function developerReadme(i: NpmPackageInput): string {
  const s = i.settings;
  const { scope } = splitPackageName(i.packageName);
  const ca = i.registryUrl ? parseCodeArtifactUrl(i.registryUrl) : undefined;
  const idc = s.federation.mode === "identity-center";
  const registryBlock = ca
    ? [
        "The package lives in the internal registry (AWS CodeArtifact). Sign in to npm for the",
        `\`@${scope}\` scope with your usual AWS credentials (the token lasts 12 hours; run it again when npm says 401):`,
        "",
        "```sh",
        loginCommand(ca, scope),
        "```",
        "",
        "Or, without touching your npm configuration (CI, containers), add these lines to the project's or your",
        "`~/.npmrc` and set the token in the environment:",
        "",
        "```sh",
        tokenCommand(ca),
        "```",
        "",
        "```ini",
        ...npmrcLines(ca.url, scope),
        "```",
      ]
    : i.registryUrl
      ? ["The package lives in the internal registry:", "", "```sh", `npm config set @${scope}:registry ${i.registryUrl}`, "```"]
      : ["Ask your platform team which registry serves the package."];
  return [
    `# ${i.packageName}`,
    "",
    `Claude Code on Amazon Bedrock for **${s.organization}** (stage \`${s.stage}\`). This package installs`,
    "`claude-bedrock`, which signs you in with your company account and gives Claude Code short-lived AWS",
    "credentials. Everything it needs about the stage is built in: you do not need a settings file.",
    "",
    "## Install",
    "",
    `You need Node.js ${NODE_ENGINES.replace(">=", "")} or newer (\`node --version\`). No Node? Ask for the single-file`,
    "executable for your platform instead and check its SHA-256 against `SHA256SUMS` before you run it.",
    "",
    ...registryBlock,
    "",
    "Then install it for your user:",
    "",
    "```sh",
    `npm install --global ${i.packageName}`,
    `${BIN_NAME} --version`,
    "```",
    "",
    "If npm says `EACCES`, your global prefix is not writable: `npm config set prefix ~/.npm-global`, add",
    "`~/.npm-global/bin` to your `PATH`, and install again (never use `sudo npm`).",
    "",
    "## Set up",
    "",
    "```sh",
    `${BIN_NAME} setup`,
    "```",
    "",
    `This writes the AWS profile \`${s.awsProfile}\` to \`~/.aws/config\`${idc ? " (an IAM Identity Center sso-session)" : ` (\`credential_process = ${BIN_NAME} credential-process\`)`}`,
    `and merges the Bedrock settings (Region \`${s.region}\`, models, telemetry) into Claude Code's`,
    "`~/.claude/settings.json`. Every other profile and setting stays as it was; what it changes is backed up",
    "to `~/.claude-bedrock/backups`. Running it again is safe. `--team <name>` picks your team's models.",
    "",
    "## Sign in",
    "",
    idc
      ? `Run \`aws sso login --profile ${s.awsProfile}\`, then start \`claude\`.`
      : `Run \`${BIN_NAME} login\` (a browser opens at your identity provider), or just start \`claude\`: it signs you in when needed. Sign-in lasts the working day; a silent refresh renews it. On a machine without a browser use \`${BIN_NAME} login --no-browser\` or \`--device\`.`,
    "",
    "## Troubleshooting",
    "",
    `- \`${BIN_NAME} doctor\` checks the settings, the AWS profile, Claude Code's settings, the identity provider,`,
    "  your clock, the sign-in port and whether a newer version is available, and says what to fix.",
    `- \`${BIN_NAME} status\` shows who is signed in and until when.`,
    `- \`${BIN_NAME} <command> --debug\` explains each step on stderr (never tokens or secrets).`,
    `- \`${BIN_NAME} logout\` forgets your sign-in; the next call signs you in again.`,
    "- npm `E401`/`E403` while installing or upgrading: the registry token expired (12 hours); run the login",
    "  command above again.",
    "- A `[" + s.awsProfile + "]` section in `~/.aws/credentials` shadows the helper: remove it (`doctor` reports it).",
    "",
    "## Upgrade",
    "",
    "```sh",
    `npm install --global ${i.packageName}@latest`,
    "```",
    "",
    `\`${BIN_NAME} doctor\` tells you when a newer version is published; other commands mention it at most once a day.`,
    ...(ca && s.federation.mode !== "identity-center"
      ? [
          "",
          `Once signed in, the helper's own profile can fetch the registry token (when your platform team allows it): add \`--profile ${s.awsProfile}\` to the login command.`,
        ]
      : []),
    "",
    "## Uninstall",
    "",
    "```sh",
    `${BIN_NAME} logout`,
    `${BIN_NAME} setup --undo        # puts back what setup replaced in ~/.aws/config and ~/.claude/settings.json`,
    `npm uninstall --global ${i.packageName}`,
    "rm -rf ~/.claude-bedrock          # cached sign-in, saved stage settings and backups",
    "```",
    "",
    "## What is inside",
    "",
    `- \`${BIN_PATH}\`: the helper, one file with no dependencies.`,
    `- \`stage-settings.json\`: the stage's settings (also compiled into the helper); SHA-256 \`${sha256(i.settingsText)}\`.`,
    "",
  ].join("\n");
}
