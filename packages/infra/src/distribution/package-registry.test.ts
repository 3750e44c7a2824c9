import { runSimulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  expectedGitHubPublisherTrust,
  installMocks,
  policyOf,
  type RecordedResource,
  type ResourceRecorder,
  settle,
  unwrap,
} from "../testing";
import type * as Rules from "../rules";
import type * as Distribution from "./index";

let recorder: ResourceRecorder;
let dist: typeof Distribution;
let rules: typeof Rules;

const ACCOUNT = "111111111111";
const ORG = "o-exampleorg1";
const CI_ROLE = `arn:aws:iam::${ACCOUNT}:role/ccb-pilot-ci-release`;
const DOMAIN = "aws:codeartifact/domain:Domain";
const REPO = "aws:codeartifact/repository:Repository";
const DOMAIN_POLICY = "aws:codeartifact/domainPermissions:DomainPermissions";
const REPO_POLICY = "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const KEY = "aws:kms/key:Key";

const DOMAIN_ARN = `arn:aws:codeartifact:us-east-1:${ACCOUNT}:domain/ccb-pilot`;
const REPO_ARN = `arn:aws:codeartifact:us-east-1:${ACCOUNT}:repository/ccb-pilot/claude-code`;
const NPM_PACKAGE_ARN = `arn:aws:codeartifact:us-east-1:${ACCOUNT}:package/ccb-pilot/claude-code/npm/example/claude-bedrock`;
const GENERIC_PACKAGE_ARN = `arn:aws:codeartifact:us-east-1:${ACCOUNT}:package/ccb-pilot/claude-code/generic/example/claude-bedrock-executables`;

beforeAll(async () => {
  recorder = await installMocks({ accountId: ACCOUNT, region: "us-east-1" });
  dist = await import("./index.js");
  rules = await import("../rules/index.js");
});
beforeEach(() => recorder.clear());

const BOUNDARY = "arn:aws:iam::111111111111:policy/ccb-test-workload-boundary";
function registry(overrides: Partial<Distribution.PackageRegistryArgs> = {}) {
  return new dist.PackageRegistry("registry", {
    domainName: "ccb-pilot",
    repositoryName: "claude-code",
    packageNames: ["@example/claude-bedrock"],
    readers: { organizationId: ORG },
    publisherTrust: { roles: { accountId: ACCOUNT, roleNames: ["ccb-pilot-ci-release"] } },
    permissionsBoundaryArn: BOUNDARY,
    tags: { stage: "pilot" },
    ...overrides,
  });
}

const docOf = (r: RecordedResource, key: string) => policyOf(r.inputs[key])!.Statement;

describe("PackageRegistry", () => {
  it("creates a KMS-encrypted domain, the npm repository, read-only resource policies and the publisher role", async () => {
    const reg = registry();
    await unwrap(reg.registryUrl);
    await settle();
    expect(recorder.inventory()).toEqual(
      [
        `${DOMAIN} registry-domain`,
        `${DOMAIN_POLICY} registry-domain-policy`,
        `${REPO} registry-repository`,
        `${REPO_POLICY} registry-repository-policy`,
        `${ROLE} registry-publisher`,
        `${ROLE_POLICY} registry-publisher-publish`,
        `aws:kms/alias:Alias registry-key-alias`,
        `${KEY} registry-key`,
        "claude-code-bedrock:distribution:PackageRegistry registry",
      ].sort(),
    );
    const key = recorder.one(KEY, "registry-key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(docOf(key, "policy").flatMap((s: { Action?: string | string[] }) => s.Action)).not.toContain("kms:*");
    expect(recorder.one(DOMAIN, "registry-domain").inputs).toMatchObject({
      domain: "ccb-pilot",
      encryptionKey: `arn:aws:kms:us-east-1:${ACCOUNT}:key/registry-key`,
      tags: { stage: "pilot" },
    });
    const repo = recorder.one(REPO, "registry-repository").inputs;
    expect(repo).toMatchObject({ domain: "ccb-pilot", repository: "claude-code" });
    expect(repo.externalConnections).toBeUndefined();
    expect(repo.upstreams).toBeUndefined();
  });

  it("lets the organisation get a token and read, nothing else", async () => {
    registry();
    await settle();
    expect(docOf(recorder.one(DOMAIN_POLICY, "registry-domain-policy"), "policyDocument")).toEqual([
      {
        Sid: "OrganizationToken",
        Effect: "Allow",
        Principal: "*",
        Action: ["codeartifact:GetAuthorizationToken"],
        Resource: [DOMAIN_ARN],
        Condition: { StringEquals: { "aws:PrincipalOrgID": ORG } },
      },
    ]);
    expect(docOf(recorder.one(REPO_POLICY, "registry-repository-policy"), "policyDocument")).toEqual([
      {
        Sid: "OrganizationRead",
        Effect: "Allow",
        Principal: "*",
        Action: [
          "codeartifact:DescribePackage",
          "codeartifact:DescribePackageVersion",
          "codeartifact:GetPackageVersionAsset",
          "codeartifact:GetPackageVersionReadme",
          "codeartifact:GetRepositoryEndpoint",
          "codeartifact:ListPackageVersionAssets",
          "codeartifact:ListPackageVersions",
          "codeartifact:ReadFromRepository",
        ],
        Resource: [REPO_ARN, `arn:aws:codeartifact:us-east-1:${ACCOUNT}:package/ccb-pilot/claude-code/*`],
        Condition: { StringEquals: { "aws:PrincipalOrgID": ORG } },
      },
    ]);
  });

  it("lists accounts and exact principals as readers, and creates no resource policy without any", async () => {
    registry({ readers: { accountIds: ["222222222222"], principalArns: ["arn:aws:iam::333333333333:role/dev"] } });
    await settle();
    const st = docOf(recorder.one(REPO_POLICY, "registry-repository-policy"), "policyDocument");
    expect(st.map((s: { Sid?: string; Principal?: unknown }) => [s.Sid, s.Principal])).toEqual([
      ["AccountsRead", { AWS: ["arn:aws:iam::222222222222:root"] }],
      ["PrincipalsRead", { AWS: ["arn:aws:iam::333333333333:role/dev"] }],
    ]);
    recorder.clear();
    registry({ readers: {} });
    await settle();
    expect(recorder.byType(REPO_POLICY)).toHaveLength(0);
    expect(recorder.byType(DOMAIN_POLICY)).toHaveLength(0);
  });

  it("gives the publisher role exactly the helper's packages, for one-hour sessions, trusted by the CI role of this account", async () => {
    registry();
    await settle();
    const role = recorder.one(ROLE, "registry-publisher");
    expect(role.inputs.maxSessionDuration).toBe(3600);
    expect(role.inputs.permissionsBoundary).toBe(BOUNDARY);
    expect(docOf(role, "assumeRolePolicy")).toEqual([
      {
        Sid: "CiPublisher",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "aws:PrincipalAccount": ACCOUNT }, ArnLike: { "aws:PrincipalArn": [CI_ROLE] } },
      },
    ]);
    expect(docOf(recorder.one(ROLE_POLICY, "registry-publisher-publish"), "policy")).toEqual([
      { Sid: "RegistryToken", Effect: "Allow", Action: ["codeartifact:GetAuthorizationToken"], Resource: [DOMAIN_ARN] },
      {
        Sid: "CodeArtifactBearer",
        Effect: "Allow",
        Action: ["sts:GetServiceBearerToken"],
        Resource: ["*"],
        Condition: { StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" } },
      },
      {
        Sid: "Repository",
        Effect: "Allow",
        Action: ["codeartifact:GetRepositoryEndpoint", "codeartifact:ReadFromRepository"],
        Resource: [REPO_ARN],
      },
      {
        Sid: "HelperPackages",
        Effect: "Allow",
        Action: [
          "codeartifact:DescribePackageVersion",
          "codeartifact:ListPackageVersions",
          "codeartifact:PublishPackageVersion",
          "codeartifact:PutPackageMetadata",
          "codeartifact:PutPackageOriginConfiguration",
        ],
        Resource: [NPM_PACKAGE_ARN, GENERIC_PACKAGE_ARN],
      },
    ]);
  });

  it("requires an organisation condition for CI roles of other accounts", async () => {
    registry({ publisherTrust: { roles: { accountId: "444444444444", roleNames: ["ci-release"], organizationId: ORG } } });
    await settle();
    expect(docOf(recorder.one(ROLE, "registry-publisher"), "assumeRolePolicy")).toEqual([
      {
        Sid: "CiPublisher",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::444444444444:root"] },
        Action: ["sts:AssumeRole"],
        Condition: {
          StringEquals: { "aws:PrincipalOrgID": ORG },
          ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::444444444444:role/ci-release"] },
        },
      },
    ]);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("is flagged by the rules when another account's roles are trusted without an organisation", async () => {
    registry({ publisherTrust: { roles: { accountId: "444444444444", roleNames: ["ci-release"] } } });
    await settle();
    expect(rules.findingsOf(recorder.resources).map((f) => f.rule)).toEqual(["iam-cross-account-trust-conditioned"]);
  });

  it("trusts GitHub jobs of the protected environment, and with a tag pattern only on the release tags as well", async () => {
    const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const repository = "example-org/claude-code-bedrock";
    registry({ publisherTrust: { github: { providerArn, repository, environment: "helper-release", tagPattern: "helper-v*" } } });
    await settle();
    expect(docOf(recorder.one(ROLE, "registry-publisher"), "assumeRolePolicy")).toEqual([
      expectedGitHubPublisherTrust(providerArn, repository, "helper-release", "helper-v*"),
    ]);
    recorder.clear();
    registry({ publisherTrust: { github: { providerArn, repository, environment: "helper-release" } } });
    await settle();
    expect(docOf(recorder.one(ROLE, "registry-publisher"), "assumeRolePolicy")).toEqual([
      expectedGitHubPublisherTrust(providerArn, repository, "helper-release"),
    ]);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("puts public npm behind a separate upstream repository only when asked", async () => {
    registry({ upstreamNpmjs: true });
    await settle();
    expect(recorder.one(REPO, "registry-npmjs").inputs).toMatchObject({
      repository: "claude-code-npmjs",
      externalConnections: { externalConnectionName: "public:npmjs" },
    });
    expect(recorder.one(REPO, "registry-repository").inputs).toMatchObject({ upstreams: [{ repositoryName: "claude-code-npmjs" }] });
    expect(recorder.one(REPO, "registry-repository").inputs.externalConnections).toBeUndefined();
  });

  it("uses a given key instead of creating one", async () => {
    const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b4c2f1e-1111-2222-3333-444455556666`;
    registry({ kmsKeyArn: keyArn });
    await settle();
    expect(recorder.byType(KEY)).toHaveLength(0);
    expect(recorder.one(DOMAIN, "registry-domain").inputs.encryptionKey).toBe(keyArn);
  });

  it("outputs the endpoint, the scoped .npmrc lines and the 12-hour login commands", async () => {
    const reg = registry();
    const url = `https://ccb-pilot-${ACCOUNT}.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/`;
    expect(await unwrap(reg.registryUrl)).toBe(url);
    expect(await unwrap(reg.npmrcLines)).toEqual([
      `@example:registry=${url}`,
      `//ccb-pilot-${ACCOUNT}.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/:_authToken=\${CODEARTIFACT_AUTH_TOKEN}`,
    ]);
    expect(await unwrap(reg.loginCommand)).toBe(
      `aws codeartifact login --tool npm --domain ccb-pilot --domain-owner ${ACCOUNT} --repository claude-code --namespace @example --region us-east-1 --duration-seconds 43200`,
    );
    expect(await unwrap(reg.tokenCommand)).toContain(
      `get-authorization-token --domain ccb-pilot --domain-owner ${ACCOUNT} --region us-east-1 --duration-seconds 43200`,
    );
  });

  it("grants a role reads of the helper's packages", async () => {
    const reg = registry();
    const g = reg.grants.read({ roleName: "ccb-pilot-bedrock-users", key: "developers" });
    await settle();
    const p = recorder.one(ROLE_POLICY, "registry-read-developers");
    expect(p.inputs.role).toBe("ccb-pilot-bedrock-users");
    const st = docOf(p, "policy");
    expect(st.map((s: { Sid?: string }) => s.Sid)).toEqual(["RegistryToken", "CodeArtifactBearer", "Repository", "HelperPackages"]);
    expect(st.flatMap((s: { Action?: string | string[] }) => s.Action)).not.toContain("codeartifact:PublishPackageVersion");
    expect(g.statements).toHaveLength(4);
  });

  it("passes every security rule", async () => {
    registry({ upstreamNpmjs: true, readers: { organizationId: ORG, accountIds: ["222222222222"] } }).grants.read({
      roleName: "dev",
      key: "dev",
    });
    await settle();
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it.each([
    [{ domainName: "CCB_Pilot" }, /`domainName` "CCB_Pilot"/],
    [{ repositoryName: "x" }, /`repositoryName` "x"/],
    [{ packageNames: ["claude-bedrock"] }, /scoped npm name/],
    [{ packageNames: [] }, /at least one scoped npm package/],
    [{ readers: { organizationId: "org-1" } }, /`readers.organizationId` "org-1"/],
    [{ readers: { accountIds: ["1234"] } }, /`readers.accountIds` entry "1234"/],
    [{ publisherTrust: { roles: { accountId: ACCOUNT, roleNames: [] } } }, /at least one role/],
    [{ publisherTrust: { roles: { accountId: ACCOUNT, roleNames: ["*"] } } }, /entry "\*" must be an IAM role name/],
    [{ publisherTrust: { roles: { accountId: "12", roleNames: ["ci"] } } }, /`publisherTrust.roles.accountId` "12"/],
    // A release tag alone is refused: any writer can push one.
    [
      { publisherTrust: { github: { providerArn: "p", repository: "o/r", tagPattern: "helper-v*" } } },
      /`publisherTrust.github.environment` must name/,
    ],
    [
      { publisherTrust: { github: { providerArn: "p", repository: "o/r", environment: "" } } },
      /`publisherTrust.github.environment` must name/,
    ],
    [
      { publisherTrust: { github: { providerArn: "p", repository: "o/r", environment: "rel", tagPattern: "*" } } },
      /`publisherTrust.github.tagPattern` "\*"/,
    ],
    [{ publisherTrust: { github: { providerArn: "p", repository: "o", environment: "rel" } } }, /`publisherTrust.github.repository` "o"/],
  ])("rejects bad args, naming them: %j", (args, message) => {
    expect(() => registry(args as Partial<Distribution.PackageRegistryArgs>)).toThrow(message);
  });
});

/** The repository policy, evaluated the way IAM would for a caller from another account. */
async function repositoryAllows(action: string, principalOrg: string): Promise<boolean> {
  const policy = policyOf(recorder.one(REPO_POLICY, "registry-repository-policy").inputs.policyDocument);
  const result = await runSimulation(
    {
      identityPolicies: [
        { name: "caller", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] } },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
      request: {
        action,
        principal: "arn:aws:iam::999999999999:role/developer",
        resource: { accountId: ACCOUNT, resource: action === "codeartifact:GetPackageVersionAsset" ? NPM_PACKAGE_ARN : REPO_ARN },
        contextVariables: { "aws:PrincipalOrgID": principalOrg, "aws:PrincipalAccount": "999999999999" },
      },
    } as unknown as Parameters<typeof runSimulation>[0],
    {},
  );
  return (result as { overallResult?: string }).overallResult === "Allowed";
}

describe("repository policy, evaluated", () => {
  it("lets a principal of the organisation in another account read, and no one outside it", async () => {
    registry();
    await settle();
    expect(await repositoryAllows("codeartifact:ReadFromRepository", ORG)).toBe(true);
    expect(await repositoryAllows("codeartifact:GetPackageVersionAsset", ORG)).toBe(true);
    expect(await repositoryAllows("codeartifact:ReadFromRepository", "o-otherorg99")).toBe(false);
    expect(await repositoryAllows("codeartifact:PublishPackageVersion", ORG)).toBe(false);
  });
});
