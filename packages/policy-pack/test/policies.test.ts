import { createRequire } from "node:module";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { allRules } from "@ccb/infra/rules";
import { ALL_FIXTURES } from "@ccb/infra/rules/fixtures";
import type { RecordedResource } from "@ccb/infra/inventory";
import { policies, POLICY_PACK_NAME } from "../src/policies";
import { toRecordedResources, UNKNOWN_SENTINELS } from "../src/resources";

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const urnOf = (type: string, name: string) => `urn:pulumi:pilot::claude-code-bedrock::${type}::${name}`;

/**
 * Fixture resources as the engine presents them during a preview: a reference to another
 * resource's id is not known yet, so it arrives as the unknown sentinel with a property dependency
 * on that resource; the provider carries the account (allowedAccountIds) and Region.
 */
function asPreview(stack: readonly RecordedResource[]): PolicyResource[] {
  const byId = new Map(stack.map((r) => [r.id, r]));
  const resources: PolicyResource[] = stack.map(
    (r) =>
      ({
        type: r.type,
        name: r.name,
        urn: urnOf(r.type, r.name),
        props: {},
        opts: {
          protect: false,
          ignoreChanges: [],
          aliases: [],
          additionalSecretOutputs: [],
          customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
        ...(r.account
          ? {
              provider: {
                type: "pulumi:providers:aws",
                name: `provider-${r.account}`,
                urn: urnOf("pulumi:providers:aws", `provider-${r.account}`),
                props: { allowedAccountIds: [r.account], region: r.region ?? "us-east-1" },
              },
            }
          : {}),
      }) as unknown as PolicyResource,
  );
  stack.forEach((r, i) => {
    const target = resources[i]!;
    for (const [key, value] of Object.entries(r.inputs)) {
      const referenced = typeof value === "string" ? byId.get(value) : undefined;
      if (referenced && referenced !== r) {
        target.props[key] = UNKNOWN_STRING;
        target.propertyDependencies[key] = [resources[stack.indexOf(referenced)]!];
        target.dependencies.push(resources[stack.indexOf(referenced)]!);
      } else {
        target.props[key] = value;
      }
    }
  });
  return resources;
}

function violations(policy: StackValidationPolicy, resources: PolicyResource[]): Array<{ message: string; urn?: string }> {
  const found: Array<{ message: string; urn?: string }> = [];
  policy.validateStack(
    {
      resources,
      stackTags: new Map(),
      // The pack reads no config; a policy that started to would fail here rather than read an empty object.
      getConfig: () => {
        throw new Error("the pack's policies take no config");
      },
      notApplicable: () => {
        throw new Error("not applicable");
      },
    },
    (message, urn) => {
      found.push({ message, ...(urn ? { urn } : {}) });
    },
  );
  return found;
}

describe("the policy pack's policies", () => {
  it("has one stack policy per security rule, named by the rule id, mandatory unless the rule is advisory", () => {
    expect(POLICY_PACK_NAME).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(policies.map((p) => p.name)).toEqual(allRules().map((r) => r.id));
    expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
    const advisory = allRules()
      .filter((r) => r.severity === "advisory")
      .map((r) => r.id);
    expect(advisory).toEqual(["bedrock-invocation-text-logged"]);
    for (const p of policies) {
      expect(p.enforcementLevel).toBe(advisory.includes(p.name) ? "advisory" : "mandatory");
      expect(typeof p.validateStack).toBe("function");
      expect(p.description).toBeTruthy();
    }
    // The cicd area's rules are part of the pack like every other area's.
    expect(policies.map((p) => p.name)).toEqual(expect.arrayContaining(["cicd-github-trust-pinned", "iam-no-wildcard-actions"]));
  });

  it("every rule has fixtures to test its policy with", () => {
    expect(
      allRules()
        .map((r) => r.id)
        .filter((id) => !(id in ALL_FIXTURES)),
    ).toEqual([]);
  });

  describe.each(allRules().map((r) => [r.id] as const))("%s", (id) => {
    const policy = policies.find((p) => p.name === id)!;
    const fixture = ALL_FIXTURES[id]!;
    it("reports the non-compliant fixture, naming the resource's URN", () => {
      const found = violations(policy, asPreview(fixture.bad));
      expect(found.length).toBeGreaterThan(0);
      expect(found.map((f) => f.message).join("\n")).toMatch(fixture.expect);
      for (const f of found) expect(f.urn).toMatch(/^urn:pulumi:pilot::claude-code-bedrock::/);
    });
    it("accepts the compliant fixture", () => {
      expect(violations(policy, asPreview(fixture.good))).toEqual([]);
    });
  });
});

describe("engine resources to rule resources", () => {
  it("uses the same unknown sentinels as @pulumi/policy", () => {
    const proxy = createRequire(require.resolve("@pulumi/policy/package.json"))("./proxy");
    const library = [
      "unknownBooleanValue",
      "unknownNumberValue",
      "unknownStringValue",
      "unknownArrayValue",
      "unknownAssetValue",
      "unknownArchiveValue",
      "unknownObjectValue",
    ].map((k) => proxy[k]);
    expect([...UNKNOWN_SENTINELS].sort()).toEqual([...library].sort());
  });

  it("drops unknowns that no single dependency explains, and never throws on them", () => {
    const [r] = toRecordedResources([
      {
        type: "aws:iam/role:Role",
        name: "r",
        urn: urnOf("aws:iam/role:Role", "r"),
        props: { assumeRolePolicy: UNKNOWN_STRING, tags: { stage: "pilot", owner: UNKNOWN_STRING } },
        propertyDependencies: {},
        dependencies: [],
      } as unknown as PolicyResource,
    ]);
    expect(r!.inputs).toEqual({ assumeRolePolicy: undefined, tags: { stage: "pilot", owner: undefined } });
    expect(r!.id).toBe(urnOf("aws:iam/role:Role", "r"));
  });

  it("takes the account from the provider's assumed role and the Region from the provider", () => {
    const [r] = toRecordedResources([
      {
        type: "aws:iam/role:Role",
        name: "r",
        urn: urnOf("aws:iam/role:Role", "r"),
        props: {},
        propertyDependencies: {},
        dependencies: [],
        provider: {
          type: "pulumi:providers:aws",
          name: "p",
          urn: "urn:p",
          props: {
            region: "eu-west-1",
            allowedAccountIds: ["333333333333"],
            assumeRoles: [{ roleArn: "arn:aws:iam::333333333333:role/ccb-prod-ci-deploy" }],
          },
        },
      } as unknown as PolicyResource,
    ]);
    expect(r).toMatchObject({ account: "333333333333", region: "eu-west-1" });
  });

  it("with known values (pulumi up), joins siblings by physical name", () => {
    const bucket = {
      type: "aws:s3/bucket:Bucket",
      name: "logs",
      urn: urnOf("aws:s3/bucket:Bucket", "logs"),
      props: { bucket: "ccb-pilot-logs-1a2b" },
      propertyDependencies: {},
      dependencies: [],
    };
    const pab = {
      type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      name: "logs-pab",
      urn: urnOf("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "logs-pab"),
      props: { bucket: "ccb-pilot-logs-1a2b", blockPublicAcls: true },
      propertyDependencies: {},
      dependencies: [],
    };
    const stack = toRecordedResources([bucket, pab] as unknown as PolicyResource[]);
    expect(stack[1]!.inputs.bucket).toBe(stack[0]!.inputs.bucket);
  });
});
