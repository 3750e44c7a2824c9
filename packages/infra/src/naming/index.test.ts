import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { childName, hash8, NAME_RULES, type NameKind, physicalName, validateTags } from "./index";

describe("physicalName", () => {
  it("joins, lower-cases and replaces characters a Glue name cannot hold", () => {
    expect(physicalName("glue", ["CCB", "pilot-stage", "Analytics"])).toBe("ccb_pilot_stage_analytics");
  });
  it("shortens long names with a hash of the full name so they stay unique", () => {
    const a = physicalName("s3Bucket", ["x".repeat(80), "a"]);
    const b = physicalName("s3Bucket", ["x".repeat(80), "b"]);
    expect(a).toHaveLength(63);
    expect(a).not.toBe(b);
    expect(a.endsWith(hash8(`${"x".repeat(80)}-a`))).toBe(true);
  });
  it("fails clearly when nothing usable remains", () => {
    expect(() => physicalName("glue", ["%%%", "!!"])).toThrow(/no allowed characters remain/);
  });

  const kinds = Object.keys(NAME_RULES) as NameKind[];
  it("never exceeds a service limit and only uses allowed characters (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.array(fc.string({ minLength: 0, maxLength: 90 }), { minLength: 1, maxLength: 5 }),
        (kind, parts) => {
          let name: string;
          try {
            name = physicalName(kind, [...parts, "a"]);
          } catch {
            return true; // only when nothing usable remains, asserted above
          }
          const rule = NAME_RULES[kind];
          expect(name.length).toBeLessThanOrEqual(rule.maxLength);
          expect(name.length).toBeGreaterThan(0);
          for (const ch of name) expect(rule.allowed.test(ch)).toBe(true);
          if (rule.startsWithLetter) expect(name).toMatch(/^[A-Za-z]/);
          expect(physicalName(kind, [...parts, "a"])).toBe(name);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("childName", () => {
  it("prefixes the parent name", () => expect(childName("pilot-fed", "role")).toBe("pilot-fed-role"));
  it("rejects roles that are not dashed lower-case words", () => expect(() => childName("x", "Role")).toThrow(/lower-case/));
});

describe("validateTags", () => {
  it("accepts cost-allocation tags", () => expect(validateTags({ team: "platform", "cost-center": "CC-1234" })).toEqual([]));
  it("rejects the aws: prefix and characters AWS refuses", () => {
    expect(validateTags({ "aws:team": "x" })).toHaveLength(1);
    expect(validateTags({ team: "a;b" })[0]).toMatch(/tag value "a;b"/);
  });
});
