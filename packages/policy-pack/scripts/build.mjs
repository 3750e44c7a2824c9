// Bundles the policy pack into dist/index.js (CommonJS), the `main` the Pulumi CLI loads. The
// security rules from @ccb/infra are bundled in (the CLI does not compile workspace TypeScript);
// @pulumi/* stay external and resolve from node_modules, so the pack talks to the engine with the
// same SDK as the program.   usage: node scripts/build.mjs [outfile]
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
export const PACK_DIR = path.resolve(here, "..");

export async function buildPack(outfile = path.join(PACK_DIR, "dist", "index.js")) {
  await build({
    entryPoints: [path.join(PACK_DIR, "src", "index.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "cjs",
    external: ["@pulumi/*"],
    sourcemap: "inline",
    logLevel: "warning",
  });
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildPack(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`policy pack bundled: ${path.relative(process.cwd(), out)}`);
}
