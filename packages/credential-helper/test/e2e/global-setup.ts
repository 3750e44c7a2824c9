/** Builds the bundle once for all end-to-end tests, exactly as `npm run build` does, into a temp dir. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default async function setup(): Promise<void> {
  const { build } = await import("../../scripts/build.mjs");
  const outfile = join(mkdtempSync(join(tmpdir(), "ccb-bundle-")), "claude-bedrock.cjs");
  await build({ outfile });
  process.env.CCB_E2E_BUNDLE = outfile;
}
