import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PREVIEW_FILE, previewSvg } from "./preview-fixture";

describe("dashboard preview", () => {
  it("the committed SVG is what the generator produces (regenerate with tsx packages/infra/src/telemetry/render-preview.ts)", () => {
    const committed = readFileSync(path.resolve(__dirname, "../../../..", PREVIEW_FILE), "utf8");
    expect(committed).toBe(previewSvg());
  });

  it("draws one box per widget, titled", () => {
    const svg = previewSvg();
    expect(svg.match(/<g>/g)!.length).toBeGreaterThan(30);
    for (const t of ["Active users", "Tokens by type", "Cache hit rate (%)", "Code acceptance rate (%)", "Alarm states"])
      expect(svg).toContain(`>${t}</text>`);
  });
});
