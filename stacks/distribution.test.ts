import { describe, expect, it } from "vitest";
import { rules } from "@ccb/infra";
import { at, expectedGitHubPublisherTrust, policyOf } from "@ccb/infra/inventory";
import { readStageInput } from "@ccb/helper-distribution/stage-input";
import { ConfigProblems, Reader } from "./config/problems";
import { parseDistributionConfig } from "./config/distribution";
import { put, runStage } from "./testing";

const DOMAIN = "aws:codeartifact/domain:Domain";
const REPO = "aws:codeartifact/repository:Repository";
const REPO_POLICY = "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

describe("distribution in the pilot stage", () => {
  it("creates the registry in the inference account and hands its URL and package to the helper", async () => {
    const { recorder, outputs } = await runStage("pilot");
    const url = "https://ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/";
    const domain = recorder.one(DOMAIN, "ccb-pilot-registry-domain");
    expect(domain).toMatchObject({
      account: "111111111111",
      region: "us-east-1",
      inputs: { domain: "ccb-pilot", encryptionKey: expect.stringMatching(/^arn:aws:kms:us-east-1:111111111111:key\//) },
    });
    expect(recorder.one(REPO, "ccb-pilot-registry-repository").inputs).toMatchObject({ domain: "ccb-pilot", repository: "claude-code" });
    expect(recorder.byType(REPO)).toHaveLength(1); // no public upstream in the pilot
    expect(recorder.byType(REPO_POLICY)).toHaveLength(0); // one account: no cross-account readers
    expect(at(outputs.helperSettings, "distribution")).toEqual({ registryUrl: url, packageName: "@example/claude-bedrock-pilot" });
    expect(outputs).toMatchObject({
      registryUrl: url,
      helperPackageName: "@example/claude-bedrock-pilot",
      registryNpmrc: `@example:registry=${url}\n//ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/:_authToken=\${CODEARTIFACT_AUTH_TOKEN}`,
      registryLoginCommand:
        "aws codeartifact login --tool npm --domain ccb-pilot --domain-owner 111111111111 --repository claude-code --namespace @example --region us-east-1 --duration-seconds 43200",
      helperPublisherRoleArn: "arn:aws:iam::111111111111:role/ccb-pilot-helper-publisher",
    });
  });

  it("lets the pilot's CI release role publish and the developers' role read", async () => {
    const { recorder } = await runStage("pilot");
    const trust = policyOf(recorder.one(ROLE, "ccb-pilot-registry-publisher").inputs.assumeRolePolicy)!.Statement;
    expect(trust).toEqual([
      {
        Sid: "CiPublisher",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::111111111111:root"] },
        Action: ["sts:AssumeRole"],
        Condition: {
          StringEquals: { "aws:PrincipalAccount": "111111111111" },
          ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::111111111111:role/ccb-pilot-ci-release"] },
        },
      },
    ]);
    const read = recorder.one(ROLE_POLICY, "ccb-pilot-registry-read-developers");
    expect(read.account).toBe("111111111111");
    expect(policyOf(read.inputs.policy)!.Statement.flatMap((s: { Action?: string | string[] }) => s.Action)).toContain(
      "codeartifact:ReadFromRepository",
    );
  });

  it("produces stack outputs the distribution build accepts as they are", async () => {
    const { outputs } = await runStage("pilot");
    const input = readStageInput(JSON.stringify(outputs), { stage: "pilot", source: "pilot-outputs.json" });
    expect(input.packageName).toBe("@example/claude-bedrock-pilot");
    expect(input.registryUrl).toBe(outputs.registryUrl);
  });

  it("passes the security rules", async () => {
    const { recorder } = await runStage("pilot");
    const mine = recorder.resources.filter((r) => r.name.startsWith("ccb-pilot-registry"));
    expect(mine.length).toBeGreaterThan(5);
    expect(rules.findingsOf(recorder.resources).filter((f) => f.resource.startsWith("ccb-pilot-registry"))).toEqual([]);
  });
});

describe("distribution in the prod stage", () => {
  it("lets the whole organisation read, and nothing but reads", async () => {
    const { recorder } = await runStage("prod");
    const st = policyOf(recorder.one(REPO_POLICY, "ccb-prod-registry-repository-policy").inputs.policyDocument)!.Statement;
    expect(st).toHaveLength(1);
    expect(st[0]).toMatchObject({
      Sid: "OrganizationRead",
      Principal: "*",
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1" } },
    });
    const actions = st[0]?.Action;
    expect(Array.isArray(actions) && actions.every((a) => /^codeartifact:(Describe|Get|List|Read)/.test(a))).toBe(true);
    expect(rules.findingsOf(recorder.resources).filter((f) => f.resource.startsWith("ccb-prod-registry"))).toEqual([]);
  });

  it("can hold the registry in the telemetry (shared services) account, naming the developers' role in its policy", async () => {
    const { recorder, outputs } = await runStage("prod", (raw) => {
      put(raw, "distribution.account", "telemetry");
      put(raw, "distribution.publisher.accountId", "222222222222"); // CI's release role stays in the inference account
    });
    expect(recorder.one(DOMAIN, "ccb-prod-registry-domain").account).toBe("333333333333");
    expect(outputs.registryUrl).toBe("https://ccb-prod-333333333333.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/");
    const st = policyOf(recorder.one(REPO_POLICY, "ccb-prod-registry-repository-policy").inputs.policyDocument)!.Statement;
    expect(st.map((s: { Sid?: string }) => s.Sid)).toEqual(["OrganizationRead", "PrincipalsRead"]);
    expect(at(st[1]?.Principal, "AWS")).toEqual([outputs.userRoleArn]);
    // The developers' identity policy is created where the role lives.
    expect(recorder.one(ROLE_POLICY, "ccb-prod-registry-read-developers").account).toBe("222222222222");
    // Publisher trust: CI roles of the inference account, across accounts, bound to the organisation.
    const trust = policyOf(recorder.one(ROLE, "ccb-prod-registry-publisher").inputs.assumeRolePolicy)!.Statement[0];
    expect(trust.Condition?.StringEquals).toEqual({ "aws:PrincipalOrgID": "o-exampleorg1" });
    expect(trust.Principal).toEqual({ AWS: ["arn:aws:iam::222222222222:root"] });
    expect(trust.Condition?.ArnLike).toEqual({ "aws:PrincipalArn": ["arn:aws:iam::222222222222:role/ccb-prod-ci-release"] });
  });

  it("trusts GitHub release jobs straight through OIDC only in the protected environment, on the release tags besides", async () => {
    const providerArn = "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com";
    const { recorder } = await runStage("prod", (raw) => {
      put(raw, "distribution.publisher", {
        github: {
          oidcProviderArn: providerArn,
          repository: "example-org/claude-code-bedrock",
          environment: "helper-release",
          tagPattern: "helper-v*",
        },
      });
    });
    const trust = policyOf(recorder.one(ROLE, "ccb-prod-registry-publisher").inputs.assumeRolePolicy)!.Statement;
    expect(trust).toEqual([expectedGitHubPublisherTrust(providerArn, "example-org/claude-code-bedrock", "helper-release", "helper-v*")]);
    expect(rules.findingsOf(recorder.resources).filter((f) => f.resource.startsWith("ccb-prod-registry"))).toEqual([]);
  });

  it("refuses an organisation-wide read without an organisation, naming the key", async () => {
    await expect(runStage("pilot", (raw) => put(raw, "distribution.readers.organization", true))).rejects.toThrow(
      /stage\.distribution\.readers\.organization: is true but the stage has no organisation: set stage\.organizationId/,
    );
  });
});

describe("distribution from the organisation's own npm registry (registry.kind: npm)", () => {
  const npmKind: NonNullable<Parameters<typeof runStage>[1]> = (raw) => {
    raw.distribution = {
      enabled: true,
      packageName: "@example/claude-bedrock-pilot",
      registry: { kind: "npm", url: "https://npm.example.com/api/npm/internal" },
    };
  };

  it("creates nothing in AWS for it, hands the registry to the helper and says how to install", async () => {
    const { recorder, outputs } = await runStage("pilot", npmKind);
    expect(recorder.resources.filter((r) => r.type.startsWith("aws:codeartifact/"))).toEqual([]);
    expect(recorder.resources.filter((r) => r.name.includes("-registry"))).toEqual([]);
    const url = "https://npm.example.com/api/npm/internal/";
    expect(at(outputs.helperSettings, "distribution")).toEqual({ registryUrl: url, packageName: "@example/claude-bedrock-pilot" });
    expect(outputs).toMatchObject({
      registryKind: "npm",
      registryUrl: url,
      registryNpmrc: `@example:registry=${url}`,
      helperInstallCommand: `npm install --global @example/claude-bedrock-pilot --@example:registry=${url}`,
      helperPackageName: "@example/claude-bedrock-pilot",
    });
    expect(outputs.helperPublisherRoleArn).toBeUndefined();
    expect(outputs.registryLoginCommand).toBeUndefined();
    // The distribution build reads these outputs as they are (the install test against verdaccio uses the same path).
    expect(readStageInput(JSON.stringify(outputs), { stage: "pilot", source: "pilot-outputs.json" }).registryUrl).toBe(url);
  });

  it("keeps the CI release role (it reads the stack outputs) without any CodeArtifact right", async () => {
    const { recorder } = await runStage("pilot", npmKind);
    const release = recorder.one(ROLE, "ccb-pilot-cicd-inference-release");
    expect(
      policyOf(release.inputs.assumeRolePolicy)!.Statement[0]?.Condition?.StringEquals?.["token.actions.githubusercontent.com:sub"],
    ).toEqual(["repo:example-org/claude-code-bedrock:environment:helper-release-pilot"]);
    const mine = recorder.byType(ROLE_POLICY).filter((p) => p.name.startsWith("ccb-pilot-cicd-inference-release"));
    expect(mine.length).toBeGreaterThan(0);
    const actions = mine.flatMap((p) =>
      policyOf(p.inputs.policy)!.Statement.flatMap((st: { Action?: string | string[] }) => [st.Action ?? []].flat()),
    );
    expect(actions.filter((a: string) => a.startsWith("codeartifact:") || a === "sts:GetServiceBearerToken")).toEqual([]);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });
});

describe("stage.distribution config", () => {
  const parse = (raw: Record<string, unknown>) => {
    const p = new ConfigProblems();
    const c = parseDistributionConfig(new Reader(p, raw, "stage.distribution"), p);
    return { c, problems: p.list };
  };
  const base = { enabled: true, packageName: "@acme/claude-bedrock", publisher: { roleNames: ["ccb-pilot-ci-release"] } };

  it("reads an npm registry of the organisation, with none of CodeArtifact's keys", () => {
    expect(
      parse({ enabled: true, packageName: "@acme/claude-bedrock", registry: { kind: "npm", url: "https://npm.acme.example/" } }),
    ).toEqual({
      problems: [],
      c: expect.objectContaining({
        enabled: true,
        packageName: "@acme/claude-bedrock",
        registry: { kind: "npm", url: "https://npm.acme.example/" },
      }),
    });
    expect(parse(base).c.registry).toEqual({ kind: "codeartifact" });
  });

  it("is off by default", () => {
    expect(parseDistributionConfig(undefined, new ConfigProblems()).enabled).toBe(false);
    expect(parse({ enabled: false, packageName: 7 }).problems).toEqual([]);
  });

  it("fills safe defaults", () => {
    expect(parse(base)).toEqual({
      problems: [],
      c: {
        enabled: true,
        registry: { kind: "codeartifact" },
        packageName: "@acme/claude-bedrock",
        account: "inference",
        repositoryName: "claude-code",
        upstreamNpmjs: false,
        readers: { organization: false, accountIds: [] },
        developerRoleReads: true,
        publisher: { kind: "roles", roleNames: ["ccb-pilot-ci-release"] },
      },
    });
  });

  it.each([
    [{ packageName: "claude-bedrock" }, /stage\.distribution\.packageName: "claude-bedrock" is not valid: expected a scoped npm name/],
    [{ publisher: undefined }, /stage\.distribution\.publisher: is required when distribution is enabled/],
    [{ publisher: { roleNames: ["*"] } }, /stage\.distribution\.publisher\.roleNames\[0\]: must not be only a wildcard/],
    [{ publisher: { roleNames: [] } }, /stage\.distribution\.publisher\.roleNames: needs at least 1 entry/],
    [{ account: "workload" }, /stage\.distribution\.account: must be one of inference, telemetry/],
    [{ domainName: "CCB" }, /stage\.distribution\.domainName: "CCB" is not valid/],
    [{ readers: { accountIds: [123] } }, /stage\.distribution\.readers\.accountIds: must be a list of strings/],
    [
      {
        publisher: {
          github: {
            oidcProviderArn: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
            repository: "o/r",
            tagPattern: "v*",
          },
        },
      },
      /stage\.distribution\.publisher\.github\.environment: is required: the protected GitHub environment .*`tagPattern` alone would let anyone who can push a tag publish/,
    ],
    [
      {
        publisher: {
          github: {
            oidcProviderArn: "arn:aws:iam::111111111111:oidc-provider/example.com",
            repository: "o/r",
            environment: "helper-release",
          },
        },
      },
      /oidcProviderArn/,
    ],
    [{ publisher: { roleNames: ["ci"], github: {} } }, /either `roleNames` or `github`/],
    [{ registry: { kind: "npm" } }, /stage\.distribution\.registry\.url: is required/],
    [
      { registry: { kind: "npm", url: "http://npm.example.com/" } },
      /stage\.distribution\.registry\.url: "http:\/\/npm\.example\.com\/" is not valid/,
    ],
    [
      { registry: { kind: "npm", url: "https://npm.example.com/" } },
      /stage\.distribution\.publisher: describes a CodeArtifact registry: remove it \(registry\.kind is npm/,
    ],
    [{ registry: { kind: "pypi" } }, /stage\.distribution\.registry\.kind: must be one of codeartifact, npm/],
  ])("names the key and the fix: %j", (patch, message) => {
    const { problems } = parse({ ...base, ...patch });
    expect(problems.join("\n")).toMatch(message);
  });
});
