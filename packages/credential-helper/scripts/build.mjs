// Bundles the helper (Node >= 20, no top-level await): src/entry.ts (the warm path) as the code of
// `outfile`, and src/main.ts with everything else either
//   - split: as a second file beside it, `<name>.main.cjs` (the npm package's layout: the warm path reads
//     and parses only the small entry), or
//   - single: gzipped in a trailing comment of `outfile` (one self-contained file, which the single
//     executables are built from).
//
//   node scripts/build.mjs                       build dist/claude-bedrock.cjs + dist/claude-bedrock.main.cjs
//   CCB_EMBED_SETTINGS=<file> node scripts/build.mjs   also embed stage settings (read by `setup`)
//
// Also importable: `build({ outfile, embedSettingsFile, split })` (the end-to-end tests build this way).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export async function build({
  outfile = join(pkgDir, "dist", "claude-bedrock.cjs"),
  embedSettingsFile = process.env.CCB_EMBED_SETTINGS,
  minify = true,
  split = false,
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
  const restCode = rest.outputFiles[0].text;
  // Single: gzipped and base64-encoded inside a trailing comment; the engine skips a comment far faster
  // than it parses 1 MB of code, and the file shrinks to a third. Reading and scanning that comment still
  // costs a warm command ~2.5 ms (~7% of starting Node), so the npm package ships the split layout.
  const footer = split
    ? undefined
    : { js: `/*__CCB_HEAVY_GZIP_BASE64__:${gzipSync(Buffer.from(restCode, "utf8"), { level: 9 }).toString("base64")}:__CCB_HEAVY_END__*/` };
  await esbuild.build({
    ...common,
    entryPoints: [join(pkgDir, "src", "entry.ts")],
    outfile,
    sourcemap: false,
    banner: { js: "#!/usr/bin/env node" },
    ...(footer ? { footer } : {}),
  });
  // A single file must not sit beside a stale split one: the entry would load that first.
  if (split) writeFileSync(mainFileFor(outfile), restCode);
  else rmSync(mainFileFor(outfile), { force: true });
  return outfile;
}

/** Where the split layout puts the rest of the helper (src/embedded.ts `mainFileBeside` looks there). */
export function mainFileFor(outfile) {
  return `${outfile.replace(/\.cjs$/, "")}.main.cjs`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = await build({ split: true });
  console.log(`built ${out}`);
}
