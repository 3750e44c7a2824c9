import { mergeConfig } from "vitest/config";
import { projectTestConfig } from "../../vitest.shared.mjs";

// The end-to-end suite drives a real browser and runs the built bundle: longer timeouts, one build.
export default mergeConfig(projectTestConfig({ testTimeout: 60_000, hookTimeout: 90_000 }), {
  test: { globalSetup: ["test/e2e/global-setup.ts"] },
});
