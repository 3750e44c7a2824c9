import { describe, expect, it } from "vitest";
import { ACCOUNT, role } from "./fixtures";
import { allRules, evaluateRules, findingsOf } from "./index";
import { ALL_FIXTURES } from "./all-fixtures";

const fixtures = ALL_FIXTURES;

describe("security rules", () => {
  it("every registered rule has a compliant and a non-compliant fixture", () => {
    expect(allRules().map((r) => r.id).filter((id) => !(id in fixtures))).toEqual([]);
  });

  describe.each(Object.entries(fixtures))("%s", (id, f) => {
    const rule = allRules().find((r) => r.id === id)!;
    it("passes the compliant fixture", () => {
      const verdict = evaluateRules(f.good, [rule])[0]!;
      expect(verdict.checked).toBeGreaterThan(0);
      expect(verdict.findings).toEqual([]);
    });
    it("flags the non-compliant fixture", () => {
      const verdict = evaluateRules(f.bad, [rule])[0]!;
      expect(verdict.findings.length).toBeGreaterThan(0);
      expect(verdict.findings.map((x) => x.message).join("\n")).toMatch(f.expect);
    });
  });

  it("federated trust: a session tag that only has to be present (Null false) does not restrict who signs in", () => {
    const trust = role("r", { Effect: "Allow", Principal: { Federated: "arn:aws:iam::111111111111:oidc-provider/idp.example.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "idp.example.com:aud": "c" }, Null: { "aws:RequestTag/email": "false" } } });
    expect(findingsOf([trust]).map((f) => f.message).join()).toMatch(/does not restrict the subject or a group claim/);
  });

  it("federated trust: rejects admitting unauthenticated Cognito identities", () => {
    const trust = role("r", { Effect: "Allow", Principal: { Federated: "cognito-identity.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "cognito-identity.amazonaws.com:aud": "us-east-1:pool" }, "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" } } });
    expect(findingsOf([trust]).map((f) => f.message).join()).toMatch(/unauthenticated/);
  });

  it("same-account AWS principals need no org condition", () => {
    const r = role("r", { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/x` }, Action: "sts:AssumeRole" });
    expect(findingsOf([r])).toEqual([]);
  });
});
