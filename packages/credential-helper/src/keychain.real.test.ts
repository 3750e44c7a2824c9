/**
 * The macOS login keychain for real, through the same `security` calls the helper makes: runs only on
 * macOS with CCB_REAL_KEYCHAIN=1 (the OS matrix workflow on macos-14), skipped elsewhere, since the
 * stubbed-runner tests in keychain.test.ts cover the command lines everywhere.
 */
import { describe, expect, it } from "vitest";
import { macosKeychain, runCommand } from "./keychain.js";

const real = process.platform === "darwin" && process.env.CCB_REAL_KEYCHAIN === "1";

describe.skipIf(!real)("macOS login keychain (real)", () => {
  it("stores, reads back, overwrites and deletes a refresh token", async () => {
    const store = macosKeychain(runCommand, 20_000);
    const account = `ci-test-${process.pid}-${Date.now()}`;
    try {
      expect(await store.get(account)).toBeUndefined();
      await store.set(account, "first.refresh-token_value");
      expect(await store.get(account)).toBe("first.refresh-token_value");
      await store.set(account, "second.refresh-token_value");
      expect(await store.get(account)).toBe("second.refresh-token_value");
    } finally {
      await store.delete(account);
    }
    expect(await store.get(account)).toBeUndefined();
  });
});
