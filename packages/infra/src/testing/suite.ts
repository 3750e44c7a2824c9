/**
 * Test-only (vitest): what the component test files share around the mock harness. Never exported from
 * the inventory entry point, which the policy pack and the offline plan load without vitest.
 */
import { beforeAll, beforeEach, expect } from "vitest";
import type * as Rules from "../rules";
import { installMocks, type InstallMocksOptions, type ResourceRecorder } from "./mocks";

export interface MockedSuite<M> {
  readonly recorder: ResourceRecorder;
  /** The component module under test, loaded after the mocks are installed. */
  readonly module: M;
  readonly rules: typeof Rules;
}

/**
 * Installs the mock engine once per file, then loads the module under test and the security rules (a
 * component's resources must be declared after the mocks are in place, so both are imported
 * dynamically), and empties the recorder before every test. The returned object is filled in by
 * `beforeAll`: read its properties inside tests, never at module level.
 */
export function useMockedSuite<M>(
  load: () => Promise<M>,
  options: InstallMocksOptions = { accountId: "111111111111", region: "us-east-1" },
): MockedSuite<M> {
  let loaded: MockedSuite<M> | undefined;
  const get = (): MockedSuite<M> => {
    if (!loaded) throw new Error("the mocked suite is read before beforeAll ran");
    return loaded;
  };
  beforeAll(async () => {
    const recorder = await installMocks(options);
    loaded = { recorder, module: await load(), rules: await import("../rules/index.js") };
  });
  beforeEach(() => get().recorder.clear());
  return {
    get recorder() {
      return get().recorder;
    },
    get module() {
      return get().module;
    },
    get rules() {
      return get().rules;
    },
  };
}

/** Every IAM role recorded carries `boundaryArn` as its permissions boundary (the list names the roles that do not). */
export function expectEveryRoleBounded(recorder: ResourceRecorder, boundaryArn: string): void {
  const roles = recorder.byType("aws:iam/role:Role");
  expect(roles.map((r) => [r.name, r.inputs.permissionsBoundary])).toEqual(roles.map((r) => [r.name, boundaryArn]));
}
