/**
 * The build's input: one stage's exported stack outputs (`pulumi stack output --json --stack <stage>`),
 * of which the `helperSettings` output is the helper's `StageSettings`. Validated with the same
 * `parseStageSettings` the helper runs, so a broken stage never becomes an installable artifact.
 */
import { parseStageSettings, StageSettingsError, type StageSettings } from "@ccb/contracts";
import { canonicalJson } from "./canonical-json";
import { DistributionError } from "./errors";

export const SCOPED_PACKAGE = /^@[a-z0-9-~][a-z0-9-._~]*\/[a-z0-9-~][a-z0-9-._~]*$/;
/** Semantic version without build metadata (npm ignores `+…` when it compares, so it could not tell releases apart). */
export const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export interface StageInput {
  readonly settings: StageSettings;
  /** The settings as packed into every artifact: canonical JSON (sorted keys) plus a newline. */
  readonly settingsText: string;
  readonly packageName: string;
  /** The registry the package is published to, when the stage has one. */
  readonly registryUrl?: string;
}

export interface StageInputOptions {
  /** The stage the caller means; the outputs must be that stage's. */
  readonly stage: string;
  /** Overrides `helperSettings.distribution.packageName`. */
  readonly packageName?: string;
  /** Accept `http://127.0.0.1` endpoints (local registry tests only). */
  readonly allowLoopbackHttp?: boolean;
  /** Named in messages. */
  readonly source: string;
}

/** Extracts and validates the stage settings from the text of a stack outputs file. */
export function readStageInput(outputsText: string, o: StageInputOptions): StageInput {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(o.stage)) {
    throw new DistributionError(
      "ERR_USAGE",
      `"${o.stage}" is not a stage name`,
      "pass --stage pilot or --stage prod (lower-case letters, digits, dashes)",
    );
  }
  let outputs: unknown;
  try {
    outputs = JSON.parse(outputsText);
  } catch (e) {
    throw new DistributionError(
      "ERR_OUTPUTS",
      `${o.source} is not JSON (${(e as Error).message})`,
      `export it with \`pulumi stack output --json --stack ${o.stage} > ${o.source}\``,
    );
  }
  const helper =
    typeof outputs === "object" && outputs !== null && !Array.isArray(outputs)
      ? (outputs as Record<string, unknown>).helperSettings
      : undefined;
  if (helper === undefined) {
    throw new DistributionError(
      "ERR_OUTPUTS",
      `${o.source} has no \`helperSettings\` output`,
      `export the whole stack's outputs: \`pulumi stack output --json --stack ${o.stage} > ${o.source}\` (not a single output)`,
    );
  }
  if (helper === "[secret]") {
    throw new DistributionError(
      "ERR_OUTPUTS",
      `${o.source} holds \`helperSettings\` as "[secret]"`,
      "helperSettings must not be a secret output; export with `--show-secrets` only if you made it one by mistake, then fix the stack",
    );
  }
  let settings: StageSettings;
  try {
    settings = parseStageSettings(helper, { allowLoopbackHttp: o.allowLoopbackHttp ?? false, source: `helperSettings in ${o.source}` });
  } catch (e) {
    if (e instanceof StageSettingsError) {
      throw new DistributionError(
        "ERR_SETTINGS",
        e.message,
        "fix the stage configuration (Pulumi.<stage>.yaml), run `pulumi up`, and export the outputs again",
        { cause: e },
      );
    }
    throw e;
  }
  if (settings.stage !== o.stage) {
    throw new DistributionError(
      "ERR_OUTPUTS",
      `${o.source} holds the outputs of stage "${settings.stage}", not "${o.stage}"`,
      `export them with \`pulumi stack output --json --stack ${o.stage}\``,
    );
  }
  const packageName = o.packageName ?? settings.distribution?.packageName;
  if (packageName === undefined) {
    throw new DistributionError(
      "ERR_PACKAGE_NAME",
      `stage ${o.stage} names no package`,
      "set `distribution.packageName` in Pulumi.<stage>.yaml (e.g. @acme/claude-bedrock) or pass --package-name",
    );
  }
  if (!SCOPED_PACKAGE.test(packageName)) {
    throw new DistributionError(
      "ERR_PACKAGE_NAME",
      `"${packageName}" is not a scoped npm package name`,
      "use @<scope>/<name> in lower case, e.g. @acme/claude-bedrock (a scope keeps the internal package from resolving on public npm)",
    );
  }
  return {
    settings,
    settingsText: `${canonicalJson(settings)}\n`,
    packageName,
    ...(settings.distribution ? { registryUrl: settings.distribution.registryUrl } : {}),
  };
}

/** `@acme/claude-bedrock` → `{ scope: "acme", name: "claude-bedrock" }`. */
export function splitPackageName(packageName: string): { scope: string; name: string } {
  const [scope, name] = packageName.slice(1).split("/") as [string, string];
  return { scope, name };
}

/** npm's own tarball file name: `@acme/claude-bedrock@1.2.3` → `acme-claude-bedrock-1.2.3.tgz`. */
export function tarballFileName(packageName: string, version: string): string {
  const { scope, name } = splitPackageName(packageName);
  return `${scope}-${name}-${version}.tgz`;
}

export function checkVersion(version: string): string {
  if (!SEMVER.test(version)) {
    throw new DistributionError(
      "ERR_VERSION",
      `"${version}" is not a semantic version`,
      "use MAJOR.MINOR.PATCH, optionally with a pre-release such as 1.2.0-rc.1 (no +build metadata)",
    );
  }
  return version;
}
