import { describe, expect, it } from "vitest";
import { stringsOf } from "../iam/parse";
import { ACCOUNT, doc, res, role } from "./fixtures";
import { boundaryPolicy, boundaryStatements } from "./iam-rules.fixtures";
import { allRules, evaluateRules, findingsOf } from "./index";
import { ALL_FIXTURES } from "./all-fixtures";

const fixtures = ALL_FIXTURES;

describe("security rules", () => {
  it("every registered rule has a compliant and a non-compliant fixture", () => {
    expect(
      allRules()
        .map((r) => r.id)
        .filter((id) => !(id in fixtures)),
    ).toEqual([]);
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
    const trust = role("r", {
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::111111111111:oidc-provider/idp.example.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { "idp.example.com:aud": "c" }, Null: { "aws:RequestTag/email": "false" } },
    });
    expect(
      findingsOf([trust])
        .map((f) => f.message)
        .join(),
    ).toMatch(/does not restrict the subject or a group claim/);
  });

  it("federated trust: rejects admitting unauthenticated Cognito identities", () => {
    const trust = role("r", {
      Effect: "Allow",
      Principal: { Federated: "cognito-identity.amazonaws.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { "cognito-identity.amazonaws.com:aud": "us-east-1:pool" },
        "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" },
      },
    });
    expect(
      findingsOf([trust])
        .map((f) => f.message)
        .join(),
    ).toMatch(/unauthenticated/);
  });

  it("same-account AWS principals need no org condition", () => {
    const r = role(
      "r",
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/x` }, Action: "sts:AssumeRole" },
      { permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/org-boundary` },
    );
    expect(findingsOf([r])).toEqual([]);
  });
});

describe("permissions boundaries are caps, not grants", () => {
  const rule = (id: string) => [allRules().find((r) => r.id === id)!];
  const messages = (stack: Parameters<typeof evaluateRules>[0], id: string) =>
    evaluateRules(stack, rule(id))[0]!.findings.map((f) => f.message);
  const lambdaTrust = { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" };
  const boundaryArn = `arn:aws:iam::${ACCOUNT}:policy/app-workload-boundary`;

  it("the wildcard rule lets a marked boundary's cap through, and only that", () => {
    expect(messages([boundaryPolicy()], "iam-no-wildcard-actions")).toEqual([]);
    // The same document without the marker is a grant of `*`.
    expect(messages([boundaryPolicy(boundaryStatements, {})], "iam-no-wildcard-actions")).toEqual([
      "statement CapAtTheGuardrails allows wildcard action *",
    ]);
    // A marked boundary gets no pass for any other wildcard (conditioned, or a service wildcard).
    const extra = [
      ...boundaryStatements,
      { Sid: "More", Effect: "Allow", Action: ["s3:*"], Resource: ["*"] },
      { Sid: "Cond", Effect: "Allow", Action: ["*"], Resource: ["*"], Condition: { Bool: { "aws:SecureTransport": "true" } } },
    ];
    expect(messages([boundaryPolicy(extra)], "iam-no-wildcard-actions")).toEqual([
      "statement More allows wildcard action s3:*",
      "statement Cond allows wildcard action *",
    ]);
    expect(messages([boundaryPolicy(extra)], "iam-boundary-is-a-cap")).toEqual([
      "a boundary that allows `*` has exactly one Allow: unconditioned `*` on `*`, cut down by its denies",
    ]);
  });

  it("a boundary attached to a role as a permission policy is reported", () => {
    const attached = res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "grant", { role: "fn", policyArn: boundaryArn });
    expect(messages([boundaryPolicy(), attached], "iam-boundary-is-a-cap")).toEqual([
      "boundary is attached as a permission policy by RolePolicyAttachment grant (a boundary only caps; attach grants instead)",
    ]);
    const managed = role("fn", lambdaTrust, { managedPolicyArns: [boundaryArn], permissionsBoundary: boundaryArn });
    expect(messages([boundaryPolicy(), managed], "iam-boundary-is-a-cap")).toEqual([
      "boundary is attached as a permission policy by Role fn (a boundary only caps; attach grants instead)",
    ]);
  });

  it("each required deny is checked: a boundary missing any one is reported, naming it", () => {
    const without = (sidAction: string) => boundaryStatements.filter((s) => !stringsOf(s.Action).includes(sidAction));
    expect(messages([boundaryPolicy(without("iam:CreateUser"))], "iam-boundary-is-a-cap").join("\n")).toMatch(/does not deny IAM users/);
    expect(messages([boundaryPolicy(without("cloudtrail:StopLogging"))], "iam-boundary-is-a-cap").join("\n")).toMatch(
      /does not deny audit changes/,
    );
    expect(messages([boundaryPolicy(without("iam:DeleteRolePermissionsBoundary"))], "iam-boundary-is-a-cap").join("\n")).toMatch(
      /does not deny removing a role's boundary/,
    );
    expect(messages([boundaryPolicy(without("iam:SetDefaultPolicyVersion"))], "iam-boundary-is-a-cap").join("\n")).toMatch(
      /does not deny changing, versioning, deleting or re-creating this boundary/,
    );
    expect(messages([boundaryPolicy(without("iam:DeleteOpenIDConnectProvider"))], "iam-boundary-is-a-cap").join("\n")).toMatch(
      /does not deny changing GitHub's OIDC provider/,
    );
    expect(messages([boundaryPolicy(boundaryStatements.filter((s) => !s.NotAction))], "iam-boundary-is-a-cap").join("\n")).toMatch(
      /outside the stage's Regions/,
    );
    // A deny on another policy's ARN does not protect this one.
    const elsewhere = boundaryStatements.map((s) =>
      stringsOf(s.Action).includes("iam:SetDefaultPolicyVersion") ? { ...s, Resource: [`arn:aws:iam::${ACCOUNT}:policy/other`] } : s,
    );
    expect(messages([boundaryPolicy(elsewhere)], "iam-boundary-is-a-cap").join("\n")).toMatch(
      /re-creating this boundary: iam:CreatePolicy, iam:CreatePolicyVersion/,
    );
  });

  it("an allow-list boundary (the developer boundary) needs no denies: its ceiling is what it names", () => {
    const developer = res("aws:iam/policy:Policy", "dev", {
      name: "app-developer-boundary",
      tags: { "ccb:policy-kind": "permissions-boundary" },
      policy: doc({ Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource: "*" }),
    });
    expect(messages([developer], "iam-boundary-is-a-cap")).toEqual([]);
  });

  it("a role's boundary from this stack must be a marked boundary; one from outside (the organisation's) is taken as given", () => {
    const grant = res("aws:iam/policy:Policy", "grant", {
      name: "app-grant",
      policy: doc({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" }),
    });
    expect(
      messages(
        [grant, role("fn", lambdaTrust, { permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/app-grant` })],
        "iam-role-has-boundary",
      ),
    ).toEqual(["permissions boundary app-grant is not a policy marked as a permissions boundary"]);
    expect(
      messages(
        [role("fn", lambdaTrust, { permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/org-ci-boundary` })],
        "iam-role-has-boundary",
      ),
    ).toEqual([]);
    // During a policy-pack preview the reference is the policy's URN (its id).
    expect(messages([boundaryPolicy(), role("fn", lambdaTrust, { permissionsBoundary: boundaryArn })], "iam-role-has-boundary")).toEqual(
      [],
    );
  });
});
