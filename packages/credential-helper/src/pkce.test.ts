import { describe, expect, it } from "vitest";
import { codeChallengeS256, randomCodeVerifier, randomNonce, randomState } from "./pkce.js";

describe("PKCE (RFC 7636)", () => {
  it("matches the S256 example of RFC 7636 Appendix B", () => {
    expect(codeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("derives the verifier from 32 octets as Appendix B does", () => {
    const octets = Buffer.from([
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83,
      132, 141, 121,
    ]);
    expect(randomCodeVerifier(() => octets)).toBe("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  });

  it("makes 43-character unreserved verifiers and distinct state/nonce values", () => {
    const v = randomCodeVerifier();
    expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set([randomState(), randomState(), randomNonce()]).size).toBe(3);
  });

  it.each(["short", "x".repeat(129), `${"a".repeat(42)}!`])("rejects the invalid verifier %s", (v) => {
    expect(() => codeChallengeS256(v)).toThrow(TypeError);
  });
});
