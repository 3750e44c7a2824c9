/**
 * Writes docs/telemetry-dashboard.svg from the dashboard generator (run: `npx tsx packages/infra/src/telemetry/render-preview.ts`).
 * A test fails when the committed file differs from what the generator produces.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { PREVIEW_FILE, previewSvg } from "./preview-fixture";

writeFileSync(path.resolve(__dirname, "../../../..", PREVIEW_FILE), previewSvg());
console.log(`wrote ${PREVIEW_FILE}`);
