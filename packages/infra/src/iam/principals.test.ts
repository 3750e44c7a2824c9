import { runSimulation } from "@cloud-copilot/iam-simulate";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accountTrustStatement, type OidcTrustOptions, oidcTrustStatement, serviceTrustStatement, validateOidcTrust } from "./principals";
import type { Statement } from "./policy";

// ---- Generators ------------------------------------------------------------------------------------

const WILDCARD_ONLY = /^[*?]+$/;
const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
/** Issuer as IAM keys on it: host and optional path, no scheme, no trailing slash. */
const issuerKey = fc
  .tuple(fc.array(label, { minLength: 2, maxLength: 4 }), fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), { maxLength: 3 }))
  .map(([host, path]) => [host.join("."), ...path].join("/"));
const audience = fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/);
const audiences = fc.uniqueArray(audience, { minLength: 1, maxLength: 4 });
const exactSubject = fc.stringMatching(/^[A-Za-z0-9|@._:-]{1,40}$/);
/** A pattern with at least one literal character (never wildcard-only). */
const patternSubject = fc.tuple(exactSubject, fc.constantFrom("*", "?", "-*", "*?")).map(([lit, wild]) => `${lit}${wild}`);
const subjects = fc.oneof(
  fc.constant<string[]>([]),
  fc.uniqueArray(exactSubject, { minLength: 1, maxLength: 5 }),
  fc.uniqueArray(patternSubject, { minLength: 1, maxLength: 3 }),
);
const claimName = fc.oneof(
  fc.stringMatching(/^[a-z][a-z_]{0,11}$/).filter((c) => c !== "aud" && c !== "sub"),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).map((k) => `aws:RequestTag/${k}`),
);
const claimValue = fc.oneof(exactSubject, patternSubject);
const claims = fc.dictionary(claimName, fc.uniqueArray(claimValue, { minLength: 1, maxLength: 3 }), { maxKeys: 3 });

/** Valid options: at least one restriction (subjects or claims). */
const validOptions: fc.Arbitrary<OidcTrustOptions> = fc
  .record({ issuerKey, audiences, subjects, claims, allowSessionTags: fc.boolean(), account: fc.stringMatching(/^\d{12}$/) })
  .filter((o) => o.subjects.length > 0 || Object.keys(o.claims).length > 0)
  .map((o) => ({
    providerArn: `arn:aws:iam::${o.account}:oidc-provider/${o.issuerKey}`,
    issuerKey: o.issuerKey,
    audiences: o.audiences,
    ...(o.subjects.length ? { subjects: o.subjects } : {}),
    ...(Object.keys(o.claims).length ? { claims: o.claims } : {}),
    allowSessionTags: o.allowSessionTags,
  }));

/** Every (operator, key, value) of a statement's conditions. */
function conditionEntries(s: Statement): Array<{ op: string; key: string; values: string[] }> {
  return Object.entries(s.Condition ?? {}).flatMap(([op, kv]) =>
    Object.entries(kv).map(([key, v]) => ({ op, key, values: (Array.isArray(v) ? v : [v]).map(String) })),
  );
}

// ---- oidcTrustStatement ------------------------------------------------------------------------------

describe("oidcTrustStatement (properties)", () => {
  it("always pins the audience with StringEquals, restricts by subject or claim, and never admits a wildcard-only value", () => {
    fc.assert(
      fc.property(validOptions, (o) => {
        expect(validateOidcTrust(o)).toEqual([]);
        const s = oidcTrustStatement(o);
        expect(s.Effect).toBe("Allow");
        expect(s.Principal).toEqual({ Federated: o.providerArn });
        expect(s.Action).toEqual(
          o.allowSessionTags ? ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"] : ["sts:AssumeRoleWithWebIdentity"],
        );
        expect(s.Resource).toBeUndefined();

        const entries = conditionEntries(s);
        // The audience: exactly the given client ids, under StringEquals, and nowhere under a looser operator.
        expect(s.Condition!.StringEquals![`${o.issuerKey}:aud`]).toEqual([...o.audiences]);
        expect(entries.filter((e) => e.key === `${o.issuerKey}:aud`).map((e) => e.op)).toEqual(["StringEquals"]);
        // No value anywhere is empty or only a wildcard; in particular no subject.
        for (const e of entries)
          for (const v of e.values) expect(WILDCARD_ONLY.test(v) || v.trim() === "", `${e.op} ${e.key} = ${v}`).toBe(false);
        // Something besides the audience restricts who gets in.
        expect(entries.some((e) => e.key !== `${o.issuerKey}:aud`)).toBe(true);

        const subs = o.subjects ?? [];
        const subEntries = entries.filter((e) => e.key === `${o.issuerKey}:sub`);
        if (subs.length === 0) expect(subEntries).toEqual([]);
        else if (subs.some((x) => /[*?]/.test(x)))
          expect(subEntries).toEqual([{ op: "StringLike", key: `${o.issuerKey}:sub`, values: subs }]);
        else expect(subEntries).toEqual([{ op: "StringEquals", key: `${o.issuerKey}:sub`, values: subs }]);

        for (const [claim, values] of Object.entries(o.claims ?? {})) {
          const key = claim.includes(":") ? claim : `${o.issuerKey}:${claim}`;
          const found = entries.filter((e) => e.key === key);
          expect(found).toHaveLength(1);
          expect(found[0]!.values).toEqual(values);
          const base = values.some((v) => /[*?]/.test(v)) ? "StringLike" : "StringEquals";
          // Session tags are single-valued; token claims (amr, groups) are lists and need a set operator.
          expect(found[0]!.op).toBe(key.startsWith("aws:RequestTag/") ? base : `ForAnyValue:${base}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  type Mutation = readonly [string, (o: OidcTrustOptions) => OidcTrustOptions];
  const unsafe: fc.Arbitrary<Mutation> = fc.oneof(
    fc.constant<Mutation>(["no audiences", (o) => ({ ...o, audiences: [] })]),
    fc
      .constantFrom("*", "", "  ", "client*", "*-app")
      .map((bad): Mutation => [`audience "${bad}"`, (o) => ({ ...o, audiences: [...o.audiences, bad] })]),
    fc
      .constantFrom("*", "**", "?", "*?", "", " ")
      .map((bad): Mutation => [`subject "${bad}"`, (o) => ({ ...o, subjects: [...(o.subjects ?? []), bad] })]),
    fc.constant<Mutation>(["no restriction", ({ subjects: _s, claims: _c, ...o }) => o]),
    fc.constant<Mutation>([
      "empty lists as the only restriction",
      ({ subjects: _s, claims: _c, ...o }) => ({ ...o, subjects: [], claims: {} }),
    ]),
    fc
      .constantFrom<readonly string[]>([], ["*"], ["?*"], ["ok", "*"])
      .map((bad): Mutation => [`claim values ${JSON.stringify(bad)}`, (o) => ({ ...o, claims: { ...(o.claims ?? {}), groups: bad } })]),
    fc.constant<Mutation>(["issuer with scheme", (o) => ({ ...o, issuerKey: `https://${o.issuerKey}` })]),
    fc.constant<Mutation>(["issuer with trailing slash", (o) => ({ ...o, issuerKey: `${o.issuerKey}/` })]),
  );

  it("rejects unsafe inputs: no or wildcard audiences, wildcard-only subjects or claims, no restriction, a malformed issuer", () => {
    fc.assert(
      fc.property(validOptions, unsafe, (o, [what, mutate]) => {
        const bad = mutate(o);
        expect(validateOidcTrust(bad), what).not.toEqual([]);
        expect(() => oidcTrustStatement(bad), what).toThrow(/OIDC trust is unsafe/);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects exact subjects mixed with patterns (IAM would AND the two operators)", () => {
    fc.assert(
      fc.property(validOptions, exactSubject, patternSubject, (o, exact, pattern) => {
        expect(() => oidcTrustStatement({ ...o, subjects: [exact, pattern] })).toThrow(/either exact subjects or patterns/);
      }),
      { numRuns: 100 },
    );
  });

  // The engine only evaluates IdP keys it knows from the AWS service reference; `accounts.google.com`
  // is one (a custom host's keys are ignored), so the issuer is fixed to it for this semantic check.
  it("is evaluated by iam-simulate as: right audience and a listed subject in, anything else out (property)", async () => {
    const iss = "accounts.google.com";
    const providerArn = `arn:aws:iam::123456789012:oidc-provider/${iss}`;
    const decide = async (s: Statement, context: Record<string, string>) => {
      const r = await runSimulation(
        {
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: { Version: "2012-10-17", Statement: [s] },
          request: {
            action: "sts:AssumeRoleWithWebIdentity",
            principal: providerArn,
            resource: { accountId: "123456789012", resource: "arn:aws:iam::123456789012:role/users" },
            contextVariables: context,
          },
        },
        {},
      );
      if (r.resultType !== "single") throw new Error(`unexpected simulation result ${JSON.stringify(r)}`);
      expect(r.result.ignoredContextKeys ?? []).toEqual([]);
      return r.overallResult;
    };
    await fc.assert(
      fc.asyncProperty(
        audiences,
        fc.uniqueArray(exactSubject, { minLength: 1, maxLength: 4 }),
        audience,
        exactSubject,
        fc.nat(),
        async (auds, subs, otherAud, otherSub, pick) => {
          fc.pre(!auds.includes(otherAud) && !subs.includes(otherSub));
          const s = oidcTrustStatement({ providerArn, issuerKey: iss, audiences: auds, subjects: subs });
          const aud = auds[pick % auds.length]!;
          const sub = subs[pick % subs.length]!;
          expect(await decide(s, { [`${iss}:aud`]: aud, [`${iss}:sub`]: sub })).toBe("Allowed");
          expect(await decide(s, { [`${iss}:aud`]: otherAud, [`${iss}:sub`]: sub })).toBe("ImplicitlyDenied");
          expect(await decide(s, { [`${iss}:aud`]: aud, [`${iss}:sub`]: otherSub })).toBe("ImplicitlyDenied");
          expect(await decide(s, { [`${iss}:sub`]: sub })).toBe("ImplicitlyDenied");
        },
      ),
      { numRuns: 60 },
    );
  });
});

// ---- accountTrustStatement -------------------------------------------------------------------------

describe("accountTrustStatement", () => {
  const root = "arn:aws:iam::444444444444:root";

  it("trusts the named principals for sts:AssumeRole on the organization id", () => {
    expect(accountTrustStatement({ principals: [root], organizationId: "o-exampleorg1" })).toEqual({
      Sid: "CrossAccountCallers",
      Effect: "Allow",
      Principal: { AWS: [root] },
      Action: ["sts:AssumeRole"],
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1" } },
    });
  });

  it("requires the external id when given, alone or with the organization", () => {
    expect(accountTrustStatement({ principals: [root], externalId: "ext-123" }).Condition).toEqual({
      StringEquals: { "sts:ExternalId": "ext-123" },
    });
    expect(accountTrustStatement({ principals: [root], organizationId: "o-exampleorg1", externalId: "ext-123" }).Condition).toEqual({
      StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1", "sts:ExternalId": "ext-123" },
    });
  });

  it("narrows callers by ARN pattern with ArnLike on aws:PrincipalArn", () => {
    const s = accountTrustStatement({
      principals: [root, "arn:aws:iam::555555555555:root"],
      organizationId: "o-exampleorg1",
      principalArnPatterns: ["arn:aws:iam::*:role/ci-*"],
    });
    expect(s.Principal).toEqual({ AWS: [root, "arn:aws:iam::555555555555:root"] });
    expect(s.Condition).toEqual({
      StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1" },
      ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::*:role/ci-*"] },
    });
    expect(
      accountTrustStatement({ principals: [root], organizationId: "o-exampleorg1", principalArnPatterns: [] }).Condition,
    ).not.toHaveProperty("ArnLike");
  });

  it("rejects a trust without principals, without an org or external id, or with a malformed org id", () => {
    expect(() => accountTrustStatement({ principals: [], organizationId: "o-exampleorg1" })).toThrow(/at least one principal/);
    expect(() => accountTrustStatement({ principals: [root] })).toThrow(/organizationId.*externalId/);
    for (const bad of ["o-short", "O-EXAMPLEORG1", "r-exampleorg1", "exampleorg1", "o-exampleorg1 ", ""]) {
      expect(() => accountTrustStatement({ principals: [root], organizationId: bad }), bad).toThrow(/not an AWS Organizations id/);
    }
  });

  it("is evaluated by iam-simulate as: in with the organization (or external id), out without", async () => {
    const decide = async (s: Statement, principal: string, context: Record<string, string>) => {
      const r = await runSimulation(
        {
          identityPolicies: [
            {
              name: "caller",
              policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] },
            },
          ],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: { Version: "2012-10-17", Statement: [s] },
          request: {
            action: "sts:AssumeRole",
            principal,
            resource: { accountId: "222222222222", resource: "arn:aws:iam::222222222222:role/invoke" },
            contextVariables: context,
          },
        },
        {},
      );
      if (r.resultType !== "single") throw new Error(`unexpected simulation result ${JSON.stringify(r)}`);
      expect(r.result.ignoredContextKeys ?? []).toEqual([]);
      return r.overallResult;
    };
    const caller = "arn:aws:iam::444444444444:role/ci";
    const byOrg = accountTrustStatement({ principals: [root], organizationId: "o-exampleorg1" });
    expect(await decide(byOrg, caller, { "aws:PrincipalOrgID": "o-exampleorg1" })).toBe("Allowed");
    expect(await decide(byOrg, caller, {})).toBe("ImplicitlyDenied");
    expect(await decide(byOrg, caller, { "aws:PrincipalOrgID": "o-otherorg999" })).toBe("ImplicitlyDenied");
    expect(await decide(byOrg, "arn:aws:iam::555555555555:role/ci", { "aws:PrincipalOrgID": "o-exampleorg1" })).toBe("ImplicitlyDenied");
    const byExternalId = accountTrustStatement({ principals: [root], externalId: "ext-123" });
    expect(await decide(byExternalId, caller, { "sts:ExternalId": "ext-123" })).toBe("Allowed");
    expect(await decide(byExternalId, caller, { "sts:ExternalId": "ext-999" })).toBe("ImplicitlyDenied");
    const byPattern = accountTrustStatement({
      principals: [root],
      organizationId: "o-exampleorg1",
      principalArnPatterns: ["arn:aws:iam::444444444444:role/ci"],
    });
    // The engine does not derive aws:PrincipalArn from the request principal: it is given explicitly.
    const admin = "arn:aws:iam::444444444444:role/admin";
    expect(await decide(byPattern, caller, { "aws:PrincipalOrgID": "o-exampleorg1", "aws:PrincipalArn": caller })).toBe("Allowed");
    expect(await decide(byPattern, admin, { "aws:PrincipalOrgID": "o-exampleorg1", "aws:PrincipalArn": admin })).toBe("ImplicitlyDenied");
  });
});

// ---- serviceTrustStatement -------------------------------------------------------------------------

describe("serviceTrustStatement", () => {
  it("trusts the service for sts:AssumeRole, without conditions when no source is given", () => {
    expect(serviceTrustStatement("lambda.amazonaws.com")).toEqual({
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: ["sts:AssumeRole"],
    });
  });

  it("adds confused-deputy protection: aws:SourceAccount (StringEquals) and aws:SourceArn (ArnLike)", () => {
    expect(serviceTrustStatement("bedrock.amazonaws.com", "111111111111").Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "111111111111" },
    });
    expect(serviceTrustStatement("bedrock.amazonaws.com", undefined, "arn:aws:bedrock:us-east-1:111111111111:*").Condition).toEqual({
      ArnLike: { "aws:SourceArn": "arn:aws:bedrock:us-east-1:111111111111:*" },
    });
    expect(serviceTrustStatement("bedrock.amazonaws.com", "111111111111", "arn:aws:bedrock:us-east-1:111111111111:*")).toEqual({
      Effect: "Allow",
      Principal: { Service: "bedrock.amazonaws.com" },
      Action: ["sts:AssumeRole"],
      Condition: {
        StringEquals: { "aws:SourceAccount": "111111111111" },
        ArnLike: { "aws:SourceArn": "arn:aws:bedrock:us-east-1:111111111111:*" },
      },
    });
  });
});
