import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { rules } from "@ccb/infra";
import { at, obj } from "@ccb/infra/inventory";
import { repoRoot, runStage } from "./testing";

/**
 * docs/rollout.md shows each phase's stage-file edits as ```yaml rollout:<phase> blocks. They are
 * applied here, cumulatively and in order, to Pulumi.pilot.yaml and planned offline with every security
 * rule: the guide cannot show an edit that does not plan.
 */
const guide = readFileSync(path.join(repoRoot, "docs", "rollout.md"), "utf8");
const blocks = [...guide.matchAll(/```yaml rollout:([a-z-]+)\n([\s\S]*?)```/g)].map((m) => ({
  phase: m[1]!,
  edit: parse(m[2]!) as Record<string, unknown>,
}));

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Objects merge key by key; lists and scalars replace (as the guide says). */
function merge(target: Record<string, unknown>, edit: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(edit)) {
    const into = target[k];
    if (isObject(v) && isObject(into)) merge(into, v);
    else target[k] = structuredClone(v);
  }
}

describe("docs/rollout.md stage-file edits", () => {
  it("shows the expansion and optimization edits", () => {
    expect(blocks.map((b) => b.phase)).toEqual(["expansion", "optimization"]);
  });

  for (let i = 0; i < blocks.length; i++) {
    it(`pilot + ${blocks
      .slice(0, i + 1)
      .map((b) => b.phase)
      .join(" + ")} plans with every security rule passing`, async () => {
      const run = await runStage("pilot", (raw) => {
        for (const b of blocks.slice(0, i + 1)) merge(raw, b.edit);
      });
      expect(rules.findingsOf(run.recorder.resources)).toEqual([]);
      const settings = run.outputs.helperSettings;
      expect(at(settings, "stage")).toBe("pilot");
      if (i === 0) {
        // The new team has its own profiles; analytics is on.
        expect(Object.keys(obj(run.outputs.teamInferenceProfiles))).toContain("mobile");
        expect(run.outputs.analyticsWorkgroup).toBeTruthy();
      } else {
        expect(run.outputs.quotaMode).toBe("block");
      }
    }, 120_000);
  }
});
