import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { roleSessionName, SESSION_NAME_PATTERN } from "./session-name";

describe("roleSessionName", () => {
  it.each([
    ["alice@example.com", "alice@example.com"],
    ["bob+ops@example.com", "bob+ops@example.com"],
    ["José.Müller@example.de", "Jose.Muller@example.de"],
    ["first last@example.com", "first-last@example.com"],
    ["a", "a-"],
    [`${"x".repeat(70)}@example.com`, "x".repeat(64)],
  ])("%s → %s", (email, expected) => {
    expect(roleSessionName(email, "sub-1")).toBe(expected);
  });

  it("falls back to the subject when there is no email", () => {
    expect(roleSessionName(undefined, "00u1abcd")).toBe("00u1abcd");
    expect(roleSessionName("", "00u1abcd")).toBe("00u1abcd");
  });

  it("always satisfies STS: 2-64 characters of [\\w+=,.@-]", () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
        fc.string({ minLength: 1, maxLength: 100 }),
        (email, sub) => {
          expect(roleSessionName(email, sub)).toMatch(SESSION_NAME_PATTERN);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("keeps every email made of allowed characters unchanged", () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        fc.pre(/^[\w+=,.@-]{2,64}$/.test(email));
        expect(roleSessionName(email, "s")).toBe(email);
      }),
    );
  });
});
