/**
 * Builds the bundle once for all end-to-end tests, exactly as `npm run build` does (split: the npm
 * package's layout), into a temp dir.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default async function setup(): Promise<() => void> {
  const { build } = await import("../../scripts/build.mjs");
  const dir = mkdtempSync(join(tmpdir(), "ccb-bundle-"));
  await build({ outfile: join(dir, "claude-bedrock.cjs"), split: true });
  process.env.CCB_E2E_BUNDLE = join(dir, "claude-bedrock.cjs");
  return () => rmSync(dir, { recursive: true, force: true });
}
