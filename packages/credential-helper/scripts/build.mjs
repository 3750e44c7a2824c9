// Bundles the helper into one CommonJS file, dist/claude-bedrock.cjs (Node >= 20, no top-level await),
// which the npm package and the single-executable build (issue 4) both ship: src/entry.ts (the warm
// path) as code, and src/main.ts with everything else gzipped in a trailing comment.
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

export async function build({
  outfile = join(pkgDir, "dist", "claude-bedrock.cjs"),
  embedSettingsFile = process.env.CCB_EMBED_SETTINGS,
  minify = true,
} = {}) {
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const define = { __CCB_VERSION__: JSON.stringify(pkg.version) };
  if (embedSettingsFile) define.__CCB_EMBEDDED_SETTINGS__ = JSON.stringify(readFileSync(embedSettingsFile, "utf8"));
  const common = {
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    minify,
    legalComments: "none",
    define,
    logLevel: "warning",
  };
  // The whole helper (src/main.ts with every library it imports lazily), compiled to CommonJS text and
  // embedded below; src/entry.ts unpacks it whenever the warm path cannot answer.
  const rest = await esbuild.build({ ...common, entryPoints: [join(pkgDir, "src", "main.ts")], write: false, keepNames: true });
  // Gzipped and base64-encoded inside a trailing comment: the engine skips a comment far faster than it
  // parses 1 MB of code, and the file shrinks to a third.
  const packed = gzipSync(Buffer.from(rest.outputFiles[0].text, "utf8"), { level: 9 }).toString("base64");
  await esbuild.build({
    ...common,
    entryPoints: [join(pkgDir, "src", "entry.ts")],
    outfile,
    sourcemap: false,
    banner: { js: "#!/usr/bin/env node" },
    footer: { js: `/*__CCB_HEAVY_GZIP_BASE64__:${packed}:__CCB_HEAVY_END__*/` },
  });
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = await build();
  console.log(`built ${out}`);
}
