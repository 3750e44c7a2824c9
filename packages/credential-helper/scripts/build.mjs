// Bundles src/main.ts into one CommonJS file, dist/claude-bedrock.cjs (Node >= 20, no top-level await),
// which the npm package and the single-executable build (issue 4) both ship.
//
//   node scripts/build.mjs                       build
//   CCB_EMBED_SETTINGS=<file> node scripts/build.mjs   also embed stage settings (read by `setup`)
//
// Also importable: `build({ outfile, embedSettingsFile })` (the end-to-end tests build this way).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export async function build({ outfile = join(pkgDir, "dist", "claude-bedrock.cjs"), embedSettingsFile = process.env.CCB_EMBED_SETTINGS, minify = true } = {}) {
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const define = { __CCB_VERSION__: JSON.stringify(pkg.version) };
  if (embedSettingsFile) define.__CCB_EMBEDDED_SETTINGS__ = JSON.stringify(readFileSync(embedSettingsFile, "utf8"));
  // The heavy libraries, compiled to CommonJS text and embedded (see src/lazy.ts).
  const heavy = await esbuild.build({
    entryPoints: [join(pkgDir, "src", "heavy.ts")],
    write: false,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    minify,
    legalComments: "none",
    logLevel: "warning",
  });
  // Gzipped and base64-encoded inside a trailing comment: the engine skips a comment far faster than it
  // parses a 650 KB string or function, and the file shrinks to a third.
  const packed = gzipSync(Buffer.from(heavy.outputFiles[0].text, "utf8"), { level: 9 }).toString("base64");
  define.__CCB_HEAVY_EMBEDDED__ = "true";
  await esbuild.build({
    entryPoints: [join(pkgDir, "src", "main.ts")],
    // Reached only through src/lazy.ts, which uses the embedded text in the bundle.
    external: ["openid-client", "jose", "@aws-sdk/client-sts", "@aws-sdk/client-cognito-identity", "@smithy/signature-v4", "@smithy/core/checksum"],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    minify,
    keepNames: true,
    sourcemap: false,
    legalComments: "none",
    banner: { js: "#!/usr/bin/env node" },
    footer: { js: `/*__CCB_HEAVY_GZIP_BASE64__:${packed}:__CCB_HEAVY_END__*/` },
    define,
    logLevel: "warning",
  });
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = await build();
  console.log(`built ${out}`);
}
