import { defineConfig } from "vitest/config";

/**
 * Shared vitest settings: each project writes a JSON result file beside itself so that `.ci/run`
 * can print one summary line over all projects, including cached ones (nx restores the file).
 */
export function projectTestConfig(overrides: { testTimeout?: number; hookTimeout?: number; include?: string[] } = {}) {
  return defineConfig({
    test: {
      include: overrides.include ?? ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: overrides.testTimeout ?? 20_000,
      hookTimeout: overrides.hookTimeout ?? 60_000,
      reporters: ["default", "json"],
      outputFile: { json: ".vitest-results.json" },
      pool: "forks",
    },
  });
}
