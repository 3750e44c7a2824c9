import { projectTestConfig } from "../vitest.shared.mjs";

export default projectTestConfig({ include: ["**/*.test.ts"], testTimeout: 60_000 });
