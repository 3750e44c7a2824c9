import { buildSync } from "esbuild";
import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

/**
 * Lambda code as a Pulumi asset, bundled from a runtime package's source at program time with esbuild
 * (one ESM file, AWS SDK v3 left to the Lambda runtime). Bundling here instead of in a separate build
 * step means the deployed code always matches the checked-out source, and the same bytes come out
 * for the same source (no timestamps, no absolute paths), so an unchanged function is never updated.
 */
const repoRoot = path.resolve(__dirname, "..", "..");

export interface LambdaCode {
  /** The archive to give `aws.lambda.Function.code`. */
  readonly archive: pulumi.asset.AssetArchive;
  /** `index.<export>` handler string. */
  readonly handler: string;
  /** SHA-256 of the bundle, for tests and change detection. */
  readonly sha256: string;
}

/**
 * Bundles `packages/<pkg>/src/<entry>` and exposes `exportName` as the handler.
 * @param pkg runtime package folder under `packages/` (e.g. `quota-functions`)
 * @param entry entry file relative to the package's `src/` (e.g. `aggregate/handler.ts`)
 */
export function lambdaCode(pkg: string, entry: string, exportName = "handler"): LambdaCode {
  const entryPath = path.join(repoRoot, "packages", pkg, "src", entry);
  const result = buildSync({
    entryPoints: [entryPath],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    write: false,
    minify: false,
    legalComments: "none",
    sourcemap: false,
    external: ["@aws-sdk/*", "@smithy/*"],
    absWorkingDir: repoRoot,
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced no output for ${entryPath}`);
  const sha256 = createHash("sha256").update(file.contents).digest("hex");
  return {
    archive: new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.StringAsset(file.text) }),
    handler: `index.${exportName}`,
    sha256,
  };
}
