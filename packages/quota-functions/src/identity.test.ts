import { describe, expect, it } from "vitest";
// The helper's derivation (the contract): the deny policy must name the sessions the helper creates.
import { roleSessionName } from "@ccb/contracts";
import { parseAssumedRoleArn, sessionNameOf } from "./identity.js";

describe("identity", () => {
  it("derives the same role session name from an email as the credential helper", () => {
    for (const email of [
      "alice@example.com",
      "Zoë.O'Brien+ai@example.co.uk",
      "a b@example.com",
      `${"x".repeat(70)}@example.com`,
      "jürgen@例え.jp",
    ]) {
      expect(sessionNameOf(email)).toBe(roleSessionName(email, "00u1subject"));
    }
  });

  it("reads role and session from an assumed-role ARN in any partition, nothing else", () => {
    expect(parseAssumedRoleArn("arn:aws:sts::111111111111:assumed-role/ccb-prod-users/alice@example.com")).toEqual({
      role: "ccb-prod-users",
      session: "alice@example.com",
    });
    expect(parseAssumedRoleArn("arn:aws-us-gov:sts::111111111111:assumed-role/r/bob@example.com")).toEqual({
      role: "r",
      session: "bob@example.com",
    });
    expect(parseAssumedRoleArn("arn:aws:iam::111111111111:user/alice")).toBeUndefined();
  });
});
