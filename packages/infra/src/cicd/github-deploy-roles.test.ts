import { runSimulation, type RunSimulationResults } from "@cloud-copilot/iam-simulate";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type GitHubClaims,
  githubAssumeSimulation,
  installMocks,
  policyOf,
  type RecordedResource,
  type ResourceRecorder,
  settle,
  statementBySid,
  str,
  stringsOf,
  unwrap,
} from "../testing";
import type * as Rules from "../rules";
import type * as Cicd from "./index";

let recorder: ResourceRecorder;
let cicd: typeof Cicd;
let rules: typeof Rules;

const ENTRY = "111111111111";
const OTHER = "333333333333";
const REPO = "example-org/claude-code-bedrock";
const GITHUB_PROVIDER = `arn:aws:iam::${ENTRY}:oidc-provider/token.actions.githubusercontent.com`;
const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/policy:Policy";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const KEY_ARN = `arn:aws:kms:us-east-1:${ENTRY}:key/0f9e8d7c-6b5a-4321-9876-abcdef012345`;

beforeAll(async () => {
  recorder = await installMocks({ accountId: ENTRY, region: "us-east-1" });
  cicd = await import("./index.js");
  rules = await import("../rules/index.js");
});
beforeEach(() => recorder.clear());

const WORKLOAD_BOUNDARY = `arn:aws:iam::${ENTRY}:policy/ccb-pilot-workload-boundary`;
const DEVELOPER_BOUNDARY = `arn:aws:iam::${ENTRY}:policy/ccb-pilot-developer-boundary`;

/** The entry account's CI roles, with the account's workload boundary (which they carry) as the stage composes them. */
function entryRoles(overrides: Partial<Cicd.GitHubDeployRolesArgs> = {}) {
  const boundary = new cicd.WorkloadBoundary("wb", {
    namePrefix: "ccb-pilot",
    accountId: ENTRY,
    allowedRegions: ["us-east-1"],
    developerBoundary: true,
    stateBackend: { bucketName: "example-pulumi-state", kmsKeyArn: KEY_ARN },
    ...(overrides.managedRoleNames ? { managedRoleNames: overrides.managedRoleNames } : {}),
  });
  return new cicd.GitHubDeployRoles("ci", {
    namePrefix: "ccb-pilot",
    accountId: ENTRY,
    github: { repository: REPO, deployBranch: "main", deployEnvironments: ["production"] },
    chainTo: [ENTRY, OTHER],
    allowedRegions: ["us-east-1"],
    stateBackend: { bucketName: "example-pulumi-state", kmsKeyArn: KEY_ARN, project: "claude-code-bedrock", stack: "pilot" },
    permissionsBoundaryArn: boundary.arn,
    developerBoundary: true,
    tags: { stage: "pilot" },
    ...overrides,
  });
}

const trustOf = (r: RecordedResource) => policyOf(r.inputs.assumeRolePolicy)!.Statement;
const statementsOf = (r: RecordedResource) => policyOf(r.inputs.policy)!.Statement;
/** IAM counts a managed policy's size without whitespace; the hard limit is 6,144 characters. */
const iamSize = (json: unknown) => String(json).replace(/\s/g, "").length;
/** Keys the simulator ignored (a check that the test spoke its language) and its decision; an error result allows nothing. */
const outcome = (result: RunSimulationResults) => ({
  ignored: result.resultType === "single" ? (result.result.ignoredContextKeys ?? []) : [],
  allowed: result.resultType !== "error" && result.overallResult === "Allowed",
});

/** Whether GitHub may assume the entry account's role with these claims (see `githubAssumeSimulation`). */
async function githubMayAssume(trust: unknown, roleName: string, claims: GitHubClaims): Promise<boolean> {
  const { ignored, allowed } = outcome(await runSimulation(githubAssumeSimulation(trust, ENTRY, roleName, claims), {}));
  expect(ignored, "context keys the simulator ignored").toEqual([]);
  return allowed;
}

/** Evaluates what a CI role's attached and inline policies allow (the guardrails' denies and its boundary included). */
async function deployRoleMay(
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
  kind: "deploy" | "preview" = "deploy",
): Promise<boolean> {
  const identityPolicies = recorder.resources
    .filter(
      (r) =>
        (r.type === POLICY && str(r.inputs.name)?.startsWith(`ccb-pilot-ci-${kind}-`)) ||
        (r.type === POLICY && r.inputs.name === "ccb-pilot-ci-guardrails") ||
        (r.type === ROLE_POLICY && str(r.inputs.name)?.startsWith(`ccb-pilot-ci-${kind}-`)),
    )
    .map((r, i) => ({ name: `p${i}`, policy: policyOf(r.inputs.policy) }));
  const role = recorder.byType(ROLE).find((r) => r.inputs.name === `ccb-pilot-ci-${kind}`)!;
  const boundary = recorder
    .byType(POLICY)
    .find((p) => `arn:aws:iam::${ENTRY}:policy/${String(p.inputs.name)}` === role.inputs.permissionsBoundary);
  expect(boundary, "the CI role carries the workload boundary of the account").toBeDefined();
  // KMS needs the key policy to admit the account's IAM policies (the default key policy does).
  const keyPolicy = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ENTRY}:root` }, Action: "kms:*", Resource: "*" }],
  };
  const result = await runSimulation(
    {
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      permissionBoundaryPolicies: [{ name: "boundary", policy: policyOf(boundary!.inputs.policy) }],
      ...(action.startsWith("kms:") ? { resourcePolicy: keyPolicy } : {}),
      request: {
        action,
        principal: `arn:aws:sts::${ENTRY}:assumed-role/ccb-pilot-ci-${kind}/github`,
        resource: { accountId: ENTRY, resource },
        contextVariables: { "aws:RequestedRegion": "us-east-1", ...context },
      },
    },
    {},
  );
  const { ignored, allowed } = outcome(result);
  expect(ignored, `context keys the simulator ignored for ${action}`).toEqual([]);
  return allowed;
}

describe("GitHubDeployRoles in the account CI signs in to", () => {
  it("creates the GitHub provider, the deploy and preview roles, their policies and exclusive attachment lists", async () => {
    const roles = entryRoles();
    await unwrap(roles.deployRoleArn);
    await settle();
    expect(recorder.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "ci-github-oidc").inputs).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
    expect(
      recorder
        .byType(ROLE)
        .map((r) => r.inputs.name)
        .sort(),
    ).toEqual(["ccb-pilot-ci-deploy", "ccb-pilot-ci-preview"]);
    expect(
      recorder
        .byType(POLICY)
        .map((r) => r.inputs.name)
        .sort(),
    ).toEqual([
      "ccb-pilot-ci-deploy-compute",
      "ccb-pilot-ci-deploy-data",
      "ccb-pilot-ci-deploy-identity",
      "ccb-pilot-ci-deploy-monitoring",
      "ccb-pilot-ci-deploy-network",
      "ccb-pilot-ci-deploy-observability",
      "ccb-pilot-ci-guardrails",
      "ccb-pilot-ci-preview-read",
      "ccb-pilot-workload-boundary",
    ]);
    // The CI roles carry the account's workload boundary; it is never attached to them as a grant.
    for (const r of recorder.byType(ROLE)) expect(r.inputs.permissionsBoundary, r.name).toBe(WORKLOAD_BOUNDARY);
    expect(recorder.byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn)).not.toContain(
      WORKLOAD_BOUNDARY,
    );
    expect(
      recorder
        .byType(ROLE_POLICY)
        .map((r) => r.inputs.name)
        .sort(),
    ).toEqual(["ccb-pilot-ci-deploy-chain", "ccb-pilot-ci-deploy-state", "ccb-pilot-ci-preview-chain", "ccb-pilot-ci-preview-state"]);
    const exclusive = recorder.one("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "ci-deploy-attachments");
    expect(exclusive.inputs.policyArns).toHaveLength(7); // guardrails + six groups, within IAM's 10 managed policies per role
    expect(recorder.one("aws:iam/rolePoliciesExclusive:RolePoliciesExclusive", "ci-deploy-inline").inputs.policyNames).toEqual([
      "ccb-pilot-ci-deploy-chain",
      "ccb-pilot-ci-deploy-state",
    ]);
    expect(recorder.byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toHaveLength(9);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("trusts only the production environment's jobs on the main branch of the one repository for deploys, with aud sts.amazonaws.com and 1-hour sessions", async () => {
    entryRoles();
    await settle();
    const deploy = recorder.one(ROLE, "ci-deploy");
    expect(deploy.inputs.maxSessionDuration).toBe(3600);
    expect(trustOf(deploy)).toEqual([
      {
        Sid: "GitHubDeploy",
        Effect: "Allow",
        Principal: { Federated: GITHUB_PROVIDER },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
          // GitHub's sub names the environment or the ref, never both: the branch is pinned with the ref claim.
          StringEquals: {
            "token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"],
            "token.actions.githubusercontent.com:sub": [`repo:${REPO}:environment:production`],
            "token.actions.githubusercontent.com:ref": ["refs/heads/main"],
          },
        },
      },
      {
        Sid: "SelfAssume",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ENTRY}:root` },
        Action: ["sts:AssumeRole"],
        Condition: { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ENTRY}:role/ccb-pilot-ci-deploy` } },
      },
    ]);
    const preview = recorder.one(ROLE, "ci-preview");
    expect(trustOf(preview)[0].Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"],
        "token.actions.githubusercontent.com:sub": [`repo:${REPO}:pull_request`],
      },
    });
  });

  it("no subject of any CI role holds a wildcard", async () => {
    entryRoles();
    await settle();
    const subjects = recorder
      .byType(ROLE)
      .flatMap((r) => trustOf(r))
      .flatMap((s) => Object.values(s.Condition ?? {}).flatMap((kv) => kv["token.actions.githubusercontent.com:sub"] ?? []));
    expect(subjects.length).toBe(2);
    for (const s of subjects) expect(s).not.toMatch(/[*?]/);
    for (const r of recorder.byType(ROLE)) expect(JSON.stringify(trustOf(r))).not.toContain("StringLike");
  });

  it("the trust admits exactly the intended GitHub jobs (evaluated with an IAM policy simulator)", async () => {
    entryRoles();
    await settle();
    const deployTrust = policyOf(recorder.one(ROLE, "ci-deploy").inputs.assumeRolePolicy);
    const previewTrust = policyOf(recorder.one(ROLE, "ci-preview").inputs.assumeRolePolicy);
    const main = "refs/heads/main";
    // The environment's jobs, on main:
    expect(await githubMayAssume(deployTrust, "ccb-pilot-ci-deploy", { sub: `repo:${REPO}:environment:production`, ref: main })).toBe(true);
    // ... not on another branch (an environment whose branch rule was loosened), nor without the ref claim:
    expect(
      await githubMayAssume(deployTrust, "ccb-pilot-ci-deploy", { sub: `repo:${REPO}:environment:production`, ref: "refs/heads/feature" }),
    ).toBe(false);
    expect(await githubMayAssume(deployTrust, "ccb-pilot-ci-deploy", { sub: `repo:${REPO}:environment:production` })).toBe(false);
    // A push to main outside the environment no longer deploys:
    expect(await githubMayAssume(deployTrust, "ccb-pilot-ci-deploy", { sub: `repo:${REPO}:ref:refs/heads/main`, ref: main })).toBe(false);
    expect(
      await githubMayAssume(deployTrust, "ccb-pilot-ci-deploy", { sub: `repo:${REPO}:ref:refs/heads/feature`, ref: "refs/heads/feature" }),
    ).toBe(false);
    expect(await githubMayAssume(deployTrust, "ccb-pilot-ci-deploy", { sub: `repo:${REPO}:pull_request`, ref: "refs/pull/1/merge" })).toBe(
      false,
    );
    expect(
      await githubMayAssume(deployTrust, "ccb-pilot-ci-deploy", { sub: "repo:example-org/other-repo:environment:production", ref: main }),
    ).toBe(false);
    expect(
      await githubMayAssume(deployTrust, "ccb-pilot-ci-deploy", {
        sub: `repo:${REPO}:environment:production`,
        ref: main,
        aud: "https://github.com/example-org",
      }),
    ).toBe(false);
    expect(await githubMayAssume(previewTrust, "ccb-pilot-ci-preview", { sub: `repo:${REPO}:pull_request` })).toBe(true);
    expect(await githubMayAssume(previewTrust, "ccb-pilot-ci-preview", { sub: `repo:${REPO}:ref:refs/heads/main` })).toBe(false);
  });

  it("a prod stage that deploys only through its protected environment does not trust the branch", async () => {
    entryRoles({ namePrefix: "ccb-prod", github: { repository: REPO, deployEnvironments: ["production"] } });
    await settle();
    const deployTrust = policyOf(recorder.one(ROLE, "ci-deploy").inputs.assumeRolePolicy);
    expect(await githubMayAssume(deployTrust, "ccb-prod-ci-deploy", { sub: `repo:${REPO}:environment:production` })).toBe(true);
    expect(await githubMayAssume(deployTrust, "ccb-prod-ci-deploy", { sub: `repo:${REPO}:ref:refs/heads/main` })).toBe(false);
  });

  it("a branch alone (no environments) trusts pushes to that branch", async () => {
    entryRoles({ github: { repository: REPO, deployBranch: "main" } });
    await settle();
    const deployTrust = policyOf(recorder.one(ROLE, "ci-deploy").inputs.assumeRolePolicy);
    expect(
      await githubMayAssume(deployTrust, "ccb-pilot-ci-deploy", { sub: `repo:${REPO}:ref:refs/heads/main`, ref: "refs/heads/main" }),
    ).toBe(true);
    expect(await githubMayAssume(deployTrust, "ccb-pilot-ci-deploy", { sub: `repo:${REPO}:ref:refs/heads/x`, ref: "refs/heads/x" })).toBe(
      false,
    );
  });

  it("reuses an existing GitHub provider instead of creating a second one", async () => {
    const existing = `arn:aws:iam::${ENTRY}:oidc-provider/token.actions.githubusercontent.com`;
    const roles = entryRoles({ github: { repository: REPO, deployBranch: "main", existingOidcProviderArn: existing } });
    expect(await unwrap(roles.oidcProviderArn!)).toBe(existing);
    await settle();
    expect(recorder.byType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
    expect(trustOf(recorder.one(ROLE, "ci-deploy"))[0]?.Principal).toEqual({ Federated: existing });
  });

  it("deploy permissions name every action (no wildcard), fit IAM's policy size and never read data", async () => {
    entryRoles();
    await settle();
    for (const p of recorder.byType(POLICY)) {
      expect(iamSize(p.inputs.policy), str(p.inputs.name)).toBeLessThanOrEqual(6144);
      // The workload boundary's `*` is a cap, not a grant (rule iam-boundary-is-a-cap); the CI roles' own policies name every action.
      if (p.inputs.name === "ccb-pilot-workload-boundary") continue;
      for (const s of statementsOf(p).filter((x) => x.Effect === "Allow")) {
        for (const a of stringsOf(s.Action)) expect(a, str(p.inputs.name)).not.toMatch(/[*?]/);
        expect(s.NotAction).toBeUndefined();
      }
    }
    const deployStatements = recorder
      .byType(POLICY)
      .filter((p) => str(p.inputs.name)?.startsWith("ccb-pilot-ci-deploy-"))
      .flatMap((p) => statementsOf(p));
    // The one object the program writes (and reads back) is its own analytics pricing table.
    const pricing = deployStatements.filter((s) => s.Sid === "WriteAnalyticsPricingTable");
    expect(pricing.map((s) => s.Resource)).toEqual([["arn:aws:s3:::ccb-pilot-*/pricing/prices.csv"]]);
    const allowed = deployStatements.filter((s) => s.Sid !== "WriteAnalyticsPricingTable").flatMap((s) => s.Action);
    for (const dataRead of [
      "s3:GetObject",
      "s3:PutObject",
      "dynamodb:GetItem",
      "dynamodb:Query",
      "logs:GetLogEvents",
      "bedrock:InvokeModel",
      "lambda:InvokeFunction",
      "iam:CreateUser",
      "iam:CreateAccessKey",
    ]) {
      expect(allowed).not.toContain(dataRead);
    }
    // API Gateway access logging (an HTTP API stage's accessLogSettings) sets up a log delivery as the caller.
    expect(cicd.APIGATEWAY_ACCESS_LOG_ACTIONS.filter((a) => !allowed.includes(a))).toEqual([]);
    expect([...cicd.APIGATEWAY_ACCESS_LOG_ACTIONS].sort()).toEqual([
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ]);
    const preview = statementsOf(recorder.one(POLICY, "ci-preview-read")).flatMap((s) => stringsOf(s.Action));
    expect(preview.length).toBeGreaterThan(50);
    expect(preview.filter((a) => !/:(Describe|Get|List)[A-Za-z]*$/.test(a) && a !== "apigateway:GET")).toEqual([]);
    for (const d of cicd.DATA_PLANE_READS) expect(preview).not.toContain(d);
  });

  it("state access: the deploy role writes state and encrypts secrets; the preview role reads, only writes locks, and never decrypts secrets", async () => {
    entryRoles();
    await settle();
    const S = "arn:aws:s3:::example-pulumi-state";
    const checkpoints = ["pilot.json", "pilot.json.bak", "pilot.json.gz", "pilot.json.gz.bak"].map(
      (f) => `${S}/.pulumi/stacks/claude-code-bedrock/${f}`,
    );
    expect(statementsOf(recorder.one(ROLE_POLICY, "ci-deploy-state"))).toEqual([
      { Sid: "StateBucket", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket"], Resource: [S] },
      { Sid: "StateBackendMeta", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${S}/.pulumi/meta.yaml`] },
      {
        Sid: "StateObjects",
        Effect: "Allow",
        Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
        Resource: [
          ...checkpoints,
          `${S}/.pulumi/history/claude-code-bedrock/pilot/*`,
          `${S}/.pulumi/backups/claude-code-bedrock/pilot/*`,
          `${S}/.pulumi/locks/organization/claude-code-bedrock/pilot/*`,
        ],
      },
      {
        Sid: "Secrets",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        Resource: [KEY_ARN],
      },
    ]);
    const preview = statementsOf(recorder.one(ROLE_POLICY, "ci-preview-state"));
    expect(preview.find((s) => s.Sid === "StateObjects")).toEqual({
      Sid: "StateObjects",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: checkpoints,
    });
    expect(preview.find((s) => s.Sid === "StateLocks")).toEqual({
      Sid: "StateLocks",
      Effect: "Allow",
      Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
      Resource: [`${S}/.pulumi/locks/organization/claude-code-bedrock/pilot/*`],
    });
    // No direct use of the secrets key (that is how Pulumi unwraps the stack's data key): only what S3 decrypts for it.
    expect(preview.find((s) => s.Sid === "Secrets")).toBeUndefined();
    expect(preview.filter((s) => stringsOf(s.Action).some((a) => a.startsWith("kms:")))).toEqual([
      {
        Sid: "StateObjectsThroughS3",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: [KEY_ARN],
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
      },
      {
        Sid: "StateLockEncryption",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey"],
        Resource: [KEY_ARN],
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
      },
    ]);
    expect(statementsOf(recorder.one(ROLE_POLICY, "ci-deploy-chain"))).toEqual([
      {
        Sid: "ChainToStageAccounts",
        Effect: "Allow",
        Action: ["sts:AssumeRole"],
        Resource: [`arn:aws:iam::${OTHER}:role/ccb-pilot-ci-deploy`, `arn:aws:iam::${ENTRY}:role/ccb-pilot-ci-deploy`],
      },
    ]);
    expect(statementsOf(recorder.one(ROLE_POLICY, "ci-preview-chain"))[0].Resource).toEqual([
      `arn:aws:iam::${OTHER}:role/ccb-pilot-ci-preview`,
      `arn:aws:iam::${ENTRY}:role/ccb-pilot-ci-preview`,
    ]);
  });

  it("the preview role (any same-repository pull request) cannot decrypt stack secrets; it reads the SSE-KMS state objects only through S3 (IAM policy simulator)", async () => {
    entryRoles();
    await settle();
    const S = "arn:aws:s3:::example-pulumi-state";
    const preview = (action: string, context: Record<string, string> = {}) => deployRoleMay(action, KEY_ARN, context, "preview");
    // Pulumi's awskms provider unwraps the stack's data key with a direct Decrypt: refused.
    expect(await preview("kms:Decrypt")).toBe(false);
    // ... through another service, or in another Region: refused.
    expect(await preview("kms:Decrypt", { "kms:ViaService": "lambda.us-east-1.amazonaws.com" })).toBe(false);
    expect(await preview("kms:Decrypt", { "kms:ViaService": "s3.us-west-2.amazonaws.com" })).toBe(false);
    // S3 decrypting the state objects for a GetObject the role may make: allowed (S3 decrypts only what the caller may read).
    expect(await preview("kms:Decrypt", { "kms:ViaService": "s3.us-east-1.amazonaws.com" })).toBe(true);
    expect(await deployRoleMay("s3:GetObject", `${S}/.pulumi/stacks/claude-code-bedrock/pilot.json`, {}, "preview")).toBe(true);
    expect(await deployRoleMay("s3:GetObject", `${S}/.pulumi/stacks/claude-code-bedrock/prod.json`, {}, "preview")).toBe(false);
    // The deploy role keeps the key (it encrypts new secrets and reads old ones).
    expect(await deployRoleMay("kms:Decrypt", KEY_ARN)).toBe(true);
  });

  it("state: a stage's roles reach only that stack's objects in a bucket shared by every stage (IAM policy simulator)", async () => {
    entryRoles();
    await settle();
    const S = "arn:aws:s3:::example-pulumi-state/.pulumi";
    // The pilot deploy role (main branch, no reviewers) must not rewrite prod's checkpoint: that would bypass prod's reviewers.
    expect(await deployRoleMay("s3:PutObject", `${S}/stacks/claude-code-bedrock/prod.json`)).toBe(false);
    expect(await deployRoleMay("s3:GetObject", `${S}/stacks/claude-code-bedrock/prod.json`)).toBe(false);
    expect(await deployRoleMay("s3:DeleteObject", `${S}/locks/organization/claude-code-bedrock/prod/x.json`)).toBe(false);
    expect(await deployRoleMay("s3:PutObject", `${S}/history/claude-code-bedrock/prod/prod-1.history.json`)).toBe(false);
    expect(await deployRoleMay("s3:PutObject", `${S}/stacks/claude-code-bedrock/pilot2.json`)).toBe(false);
    expect(await deployRoleMay("s3:PutObject", `${S}/stacks/other-project/pilot.json`)).toBe(false);
    expect(await deployRoleMay("s3:PutObject", `${S}/meta.yaml`)).toBe(false);
    // Its own stack, in full:
    for (const key of [
      "stacks/claude-code-bedrock/pilot.json",
      "stacks/claude-code-bedrock/pilot.json.gz.bak",
      "history/claude-code-bedrock/pilot/pilot-1.checkpoint.json",
      "backups/claude-code-bedrock/pilot/pilot.1.json",
      "locks/organization/claude-code-bedrock/pilot/id.json",
    ]) {
      expect(await deployRoleMay("s3:PutObject", `${S}/${key}`), key).toBe(true);
    }
    expect(await deployRoleMay("s3:GetObject", `${S}/meta.yaml`)).toBe(true);
  });

  it("guardrails hold against the deploy role's own allows (evaluated with an IAM policy simulator)", async () => {
    entryRoles();
    await settle();
    const role = (name: string) => `arn:aws:iam::${ENTRY}:role/${name}`;
    const workload = { "iam:PermissionsBoundary": WORKLOAD_BOUNDARY };
    // What a deploy needs (its roles carry a boundary of the stage):
    expect(await deployRoleMay("iam:CreateRole", role("ccb-pilot-quota-aggregator"), workload)).toBe(true);
    expect(
      await deployRoleMay("iam:PutRolePolicy", role("ccb-pilot-federation-users"), { "iam:PermissionsBoundary": DEVELOPER_BOUNDARY }),
    ).toBe(true);
    expect(await deployRoleMay("ec2:CreateVpc", `arn:aws:ec2:us-east-1:${ENTRY}:vpc/*`)).toBe(true);
    expect(await deployRoleMay("iam:PassRole", role("ccb-pilot-quota-aggregator"), { "iam:PassedToService": "lambda.amazonaws.com" })).toBe(
      true,
    );
    // What it must not do:
    expect(await deployRoleMay("iam:PassRole", role("ccb-pilot-quota-aggregator"), { "iam:PassedToService": "ec2.amazonaws.com" })).toBe(
      false,
    );
    // CloudWatch Logs' PutSubscriptionFilter passes the analytics subscription role without iam:PassedToService:
    expect(await deployRoleMay("iam:PassRole", role("ccb-pilot-analytics-subscription"))).toBe(true);
    expect(
      await deployRoleMay("iam:PassRole", role("ccb-pilot-analytics-subscription"), { "iam:PassedToService": "logs.amazonaws.com" }),
    ).toBe(true);
    expect(
      await deployRoleMay("iam:PassRole", role("ccb-pilot-analytics-subscription"), { "iam:PassedToService": "lambda.amazonaws.com" }),
    ).toBe(false);
    // ... and no other role goes without the key:
    expect(await deployRoleMay("iam:PassRole", role("ccb-pilot-quota-aggregator"))).toBe(false);
    expect(await deployRoleMay("iam:PassRole", role("ccb-pilot-analytics-subscription-2"))).toBe(false);
    expect(await deployRoleMay("iam:PutRolePolicy", role("ccb-pilot-ci-deploy"))).toBe(false);
    expect(await deployRoleMay("iam:AttachRolePolicy", role("ccb-pilot-ci-preview"))).toBe(false);
    expect(await deployRoleMay("iam:UpdateAssumeRolePolicy", role("ccb-pilot-ci-deploy"))).toBe(false);
    expect(await deployRoleMay("iam:CreatePolicyVersion", `arn:aws:iam::${ENTRY}:policy/ccb-pilot-ci-deploy-identity`)).toBe(false);
    expect(await deployRoleMay("iam:DeleteOpenIDConnectProvider", GITHUB_PROVIDER)).toBe(false);
    expect(await deployRoleMay("iam:CreateUser", `arn:aws:iam::${ENTRY}:user/backdoor`)).toBe(false);
    expect(await deployRoleMay("ec2:CreateVpc", `arn:aws:ec2:eu-west-1:${ENTRY}:vpc/*`, { "aws:RequestedRegion": "eu-west-1" })).toBe(
      false,
    );
    expect(await deployRoleMay("s3:GetObject", "arn:aws:s3:::ccb-pilot-invocation-logs/AWSLogs/x.json.gz")).toBe(false);
    expect(await deployRoleMay("s3:DeleteBucket", "arn:aws:s3:::example-pulumi-state")).toBe(false);
    expect(await deployRoleMay("kms:ScheduleKeyDeletion", KEY_ARN)).toBe(false);
    expect(await deployRoleMay("cloudtrail:StopLogging", `arn:aws:cloudtrail:us-east-1:${ENTRY}:trail/org`)).toBe(false);
  });

  it("IAM writes reach only the stage's own roles and policies; keys are used only through services (IAM policy simulator)", async () => {
    entryRoles({ managedRoleNames: ["ci-code-review"] });
    await settle();
    const role = (name: string) => `arn:aws:iam::${ENTRY}:role/${name}`;
    // The named source roles are not the stage's and carry none of its boundaries: their inline policy is the one exception.
    expect(await deployRoleMay("iam:PutRolePolicy", role("ci-code-review"))).toBe(true);
    expect(await deployRoleMay("iam:DeleteRolePolicy", role("ci-code-review"))).toBe(true);
    expect(await deployRoleMay("iam:GetRolePolicy", role("ci-code-review"))).toBe(true);
    // A named existing role gets its inline policy written, nothing more: its trust and lifecycle stay its owner's.
    for (const action of [
      "iam:UpdateAssumeRolePolicy",
      "iam:DeleteRole",
      "iam:UpdateRole",
      "iam:DetachRolePolicy",
      "iam:TagRole",
      "iam:PutRolePermissionsBoundary",
    ]) {
      expect(await deployRoleMay(action, role("ci-code-review")), action).toBe(false);
    }
    expect(
      await deployRoleMay("iam:AttachRolePolicy", role("ci-code-review"), {
        "iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
      }),
    ).toBe(false);
    expect(
      await deployRoleMay("iam:AttachRolePolicy", role("ci-code-review"), {
        "iam:PolicyARN": `arn:aws:iam::${ENTRY}:policy/ccb-pilot-collector-read`,
      }),
    ).toBe(false);
    expect(await deployRoleMay("iam:PutRolePolicy", role("OrganizationAccountAccessRole"))).toBe(false);
    expect(await deployRoleMay("iam:UpdateAssumeRolePolicy", role("platform-admin"))).toBe(false);
    const bounded = { "iam:PermissionsBoundary": WORKLOAD_BOUNDARY };
    expect(
      await deployRoleMay("iam:AttachRolePolicy", role("ccb-pilot-collector-task"), {
        ...bounded,
        "iam:PolicyARN": `arn:aws:iam::${ENTRY}:policy/ccb-pilot-collector-read`,
      }),
    ).toBe(true);
    expect(
      await deployRoleMay("iam:AttachRolePolicy", role("ccb-pilot-collector-task"), {
        ...bounded,
        "iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
      }),
    ).toBe(true);
    expect(
      await deployRoleMay("iam:AttachRolePolicy", role("ccb-pilot-collector-task"), {
        ...bounded,
        "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess",
      }),
    ).toBe(false);
    expect(await deployRoleMay("iam:CreatePolicyVersion", `arn:aws:iam::${ENTRY}:policy/security-audit`)).toBe(false);
    expect(await deployRoleMay("iam:PassRole", role("platform-admin"), { "iam:PassedToService": "lambda.amazonaws.com" })).toBe(false);
    expect(await deployRoleMay("iam:PassRole", role("ccb-pilot-ci-deploy"), { "iam:PassedToService": "lambda.amazonaws.com" })).toBe(false);
    const key = `arn:aws:kms:us-east-1:${ENTRY}:key/11111111-2222-4333-8444-555555555555`;
    expect(await deployRoleMay("kms:Decrypt", key)).toBe(false);
    expect(await deployRoleMay("kms:Decrypt", key, { "kms:ViaService": "dynamodb.us-east-1.amazonaws.com" })).toBe(true);
    expect(await deployRoleMay("kms:CreateGrant", key, { "kms:GrantIsForAWSResource": "true" })).toBe(true);
    expect(await deployRoleMay("kms:CreateGrant", key, { "kms:GrantIsForAWSResource": "false" })).toBe(false);
  });

  it("release role: the protected environment's jobs on the release tags only, publish-only permissions on the helper's packages", async () => {
    entryRoles({
      github: {
        repository: REPO,
        deployBranch: "main",
        release: {
          tagPattern: "helper-v*",
          environment: "helper-release",
          codeArtifact: { domain: "ccb-pilot", repository: "claude-code", packageName: "@example/claude-bedrock" },
        },
      },
    });
    await settle();
    const release = recorder.one(ROLE, "ci-release");
    const trust = trustOf(release);
    expect(trust).toEqual([
      {
        Sid: "GitHubRelease",
        Effect: "Allow",
        Principal: { Federated: GITHUB_PROVIDER },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"],
            "token.actions.githubusercontent.com:sub": [`repo:${REPO}:environment:helper-release`],
          },
          StringLike: { "token.actions.githubusercontent.com:ref": ["refs/tags/helper-v*"] },
        },
      },
    ]);
    const releaseTrust = policyOf(release.inputs.assumeRolePolicy);
    const tag = "refs/tags/helper-v1.4.0";
    // After a reviewer let the job into the environment, on a release tag:
    expect(await githubMayAssume(releaseTrust, "ccb-pilot-ci-release", { sub: `repo:${REPO}:environment:helper-release`, ref: tag })).toBe(
      true,
    );
    // A tag any writer can push, outside the environment: refused.
    expect(await githubMayAssume(releaseTrust, "ccb-pilot-ci-release", { sub: `repo:${REPO}:ref:refs/tags/helper-v1.4.0`, ref: tag })).toBe(
      false,
    );
    // The environment, but not on a release tag (a branch, another tag): refused.
    expect(
      await githubMayAssume(releaseTrust, "ccb-pilot-ci-release", {
        sub: `repo:${REPO}:environment:helper-release`,
        ref: "refs/heads/main",
      }),
    ).toBe(false);
    expect(
      await githubMayAssume(releaseTrust, "ccb-pilot-ci-release", {
        sub: `repo:${REPO}:environment:helper-release`,
        ref: "refs/tags/v1.4.0",
      }),
    ).toBe(false);
    expect(await githubMayAssume(releaseTrust, "ccb-pilot-ci-release", { sub: `repo:${REPO}:environment:production`, ref: tag })).toBe(
      false,
    );
    const publish = statementsOf(recorder.one(ROLE_POLICY, "ci-release-publish"));
    expect(statementBySid(publish, "HelperPackages").Resource).toEqual([
      `arn:aws:codeartifact:us-east-1:${ENTRY}:package/ccb-pilot/claude-code/npm/example/claude-bedrock`,
      `arn:aws:codeartifact:us-east-1:${ENTRY}:package/ccb-pilot/claude-code/generic/example/claude-bedrock-executables`,
    ]);
    expect(statementBySid(publish, "HelperPackages").Action).toContain("codeartifact:PutPackageOriginConfiguration");
    expect(statementBySid(publish, "CodeArtifactBearer").Condition).toEqual({
      StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" },
    });
    expect(statementsOf(recorder.one(ROLE_POLICY, "ci-release-state")).map((s) => s.Sid)).toEqual([
      "StateBucket",
      "StateBackendMeta",
      "StateObjects",
      "Secrets",
    ]);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("release role for another npm registry (published with a token): the same trust, no CodeArtifact rights at all", async () => {
    entryRoles({
      github: { repository: REPO, deployBranch: "main", release: { tagPattern: "helper-v*", environment: "helper-release" } },
    });
    await settle();
    const release = recorder.one(ROLE, "ci-release");
    expect(trustOf(release)[0]?.Condition?.StringEquals?.["token.actions.githubusercontent.com:sub"]).toEqual([
      `repo:${REPO}:environment:helper-release`,
    ]);
    expect(recorder.byType(ROLE_POLICY).filter((p) => p.name === "ci-release-publish")).toEqual([]);
    const releasePolicies = recorder.byType(ROLE_POLICY).filter((p) => p.name.startsWith("ci-release-"));
    expect(releasePolicies.map((p) => p.name)).toEqual(["ci-release-state"]);
    expect(releasePolicies.flatMap((p) => statementsOf(p)).flatMap((st) => stringsOf(st.Action))).not.toContainEqual(
      expect.stringMatching(/^codeartifact:|^sts:GetServiceBearerToken$/),
    );
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });
});

/** CI roles in another account of the prod stage, reached by chaining from the entry account's roles. */
function chainedRoles(name: string, overrides: Partial<Cicd.GitHubDeployRolesArgs> = {}) {
  return new cicd.GitHubDeployRoles(name, {
    namePrefix: "ccb-prod",
    accountId: OTHER,
    chainFrom: { accountId: ENTRY, organizationId: "o-exampleorg1" },
    allowedRegions: ["us-east-1"],
    permissionsBoundaryArn: `arn:aws:iam::${OTHER}:policy/ccb-prod-workload-boundary`,
    ...overrides,
  });
}

describe("GitHubDeployRoles in the stage's other accounts", () => {
  it("trusts only the entry account's CI role of the same kind, inside the organisation; no GitHub provider", async () => {
    chainedRoles("ci-telemetry");
    await settle();
    expect(recorder.byType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
    expect(trustOf(recorder.one(ROLE, "ci-telemetry-deploy"))).toEqual([
      {
        Sid: "ChainFromCi",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam::${ENTRY}:root`] },
        Action: ["sts:AssumeRole"],
        Condition: {
          StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1" },
          ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ENTRY}:role/ccb-prod-ci-deploy` },
        },
      },
    ]);
    expect(trustOf(recorder.one(ROLE, "ci-telemetry-preview"))[0]?.Condition?.ArnEquals).toEqual({
      "aws:PrincipalArn": `arn:aws:iam::${ENTRY}:role/ccb-prod-ci-preview`,
    });
    expect(recorder.byType(ROLE_POLICY)).toEqual([]);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });
});

describe("GitHubDeployRoles with a subset of the deploy groups", () => {
  it("grants only those groups, and the preview role only their reads", async () => {
    chainedRoles("ci-workload", { permissionGroups: ["identity"], managedRoleNames: ["ci-code-review"] });
    await settle();
    expect(
      recorder
        .byType(POLICY)
        .map((p) => p.inputs.name)
        .sort(),
    ).toEqual(["ccb-prod-ci-deploy-identity", "ccb-prod-ci-guardrails", "ccb-prod-ci-preview-read"]);
    const reads = statementsOf(recorder.one(POLICY, "ci-workload-preview-read"))[0].Action as string[];
    expect(new Set(reads.map((a) => a.split(":")[0]))).toEqual(new Set(["iam", "kms", "cognito-identity"]));
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });
});

describe("GitHubDeployRoles argument validation", () => {
  const base = { namePrefix: "ccb-pilot", accountId: ENTRY, allowedRegions: ["us-east-1"] };
  const bad: Array<[string, Partial<Cicd.GitHubDeployRolesArgs>, RegExp]> = [
    [
      "an organisation-wide repository wildcard",
      { github: { repository: "example-org/*", deployBranch: "main" } },
      /`github.repository` "example-org\/\*" must be owner\/name without wildcards/,
    ],
    ["a branch wildcard", { github: { repository: REPO, deployBranch: "*" } }, /`github.deployBranch` "\*"/],
    ["no deploy subject", { github: { repository: REPO } }, /needs `deployBranch` or `deployEnvironments`/],
    [
      "a long session",
      { github: { repository: REPO, deployBranch: "main" }, maxSessionSeconds: 7200 },
      /`maxSessionSeconds` must be 900–3600/,
    ],
    [
      "cross-account chaining without an organisation",
      { accountId: OTHER, chainFrom: { accountId: ENTRY } },
      /`chainFrom.organizationId` is required/,
    ],
    ["neither trust path", {}, /set `github`.*or `chainFrom`/],
    [
      "an alias as the secrets key",
      {
        github: { repository: REPO, deployBranch: "main" },
        stateBackend: { bucketName: "state-bucket", project: "p", stack: "s", kmsKeyArn: `arn:aws:kms:us-east-1:${ENTRY}:alias/pulumi` },
      },
      /IAM does not match alias ARNs/,
    ],
    [
      "a wildcard state stack",
      {
        github: { repository: REPO, deployBranch: "main" },
        stateBackend: { bucketName: "state-bucket", project: "claude-code-bedrock", stack: "*" },
      },
      /`stateBackend.stack` "\*" must be a Pulumi stack name/,
    ],
    [
      "a wildcard managed role name",
      { github: { repository: REPO, deployBranch: "main" }, managedRoleNames: ["*"] },
      /`managedRoleNames`: "\*" is not an IAM role name/,
    ],
    [
      "an unknown permission group",
      { github: { repository: REPO, deployBranch: "main" }, permissionGroups: ["everything"] },
      /`permissionGroups`: "everything" is not one of identity, observability, monitoring, compute, network, data/,
    ],
    [
      "an unscoped npm package",
      {
        github: {
          repository: REPO,
          deployBranch: "main",
          release: {
            environment: "helper-release",
            tagPattern: "helper-v*",
            codeArtifact: { domain: "d1", repository: "r1", packageName: "claude-bedrock" },
          },
        },
      },
      /scoped npm name/,
    ],
    [
      "a release trusted on a tag alone",
      {
        github: {
          repository: REPO,
          deployBranch: "main",
          // Deliberately malformed: the environment the type requires is missing.
          release: {
            tagPattern: "helper-v*",
            codeArtifact: { domain: "d1", repository: "r1", packageName: "@s/claude-bedrock" },
          } as unknown as Cicd.ReleaseArgs,
        },
      },
      /`github.release.environment` is required: publishing waits for the reviewers of a protected GitHub environment/,
    ],
  ];
  it.each(bad)("rejects %s before creating anything", (_what, args, message) => {
    expect(() => new cicd.GitHubDeployRoles("bad", { ...base, ...args } as Cicd.GitHubDeployRolesArgs)).toThrow(message);
  });

  it("builds subjects from names and never from patterns", () => {
    expect(cicd.deploySubjects({ repository: REPO, deployBranch: "main", deployEnvironments: ["production"] })).toEqual([
      `repo:${REPO}:environment:production`,
    ]);
    expect(cicd.deployRefs({ repository: REPO, deployBranch: "main", deployEnvironments: ["production"] })).toEqual(["refs/heads/main"]);
    expect(cicd.deploySubjects({ repository: REPO, deployBranch: "main" })).toEqual([`repo:${REPO}:ref:refs/heads/main`]);
    expect(cicd.deployRefs({ repository: REPO, deployBranch: "main" })).toEqual([]);
    expect(cicd.releaseSubjects(REPO, { environment: "helper-release" })).toEqual([`repo:${REPO}:environment:helper-release`]);
    expect(cicd.releaseRefs({ tagPattern: "helper-v*" })).toEqual(["refs/tags/helper-v*"]);
    expect(cicd.previewSubjects(REPO)).toEqual([`repo:${REPO}:pull_request`]);
    expect(cicd.ciRoleNames("ccb-prod")).toEqual({
      deploy: "ccb-prod-ci-deploy",
      preview: "ccb-prod-ci-preview",
      release: "ccb-prod-ci-release",
      guardrails: "ccb-prod-ci-guardrails",
    });
  });

  it("maps a deploy role ARN to the same account's preview role, for previews", () => {
    expect(cicd.previewRoleArnFor("arn:aws:iam::333333333333:role/ccb-prod-ci-deploy", "ccb-prod")).toBe(
      "arn:aws:iam::333333333333:role/ccb-prod-ci-preview",
    );
    expect(cicd.previewRoleArnFor("arn:aws-us-gov:iam::333333333333:role/OrganizationAccountAccessRole", "ccb-prod")).toBe(
      "arn:aws-us-gov:iam::333333333333:role/ccb-prod-ci-preview",
    );
    expect(() => cicd.previewRoleArnFor("ccb-prod-ci-deploy", "ccb-prod")).toThrow(/not an IAM role ARN/);
    expect(cicd.ciRoleKind({})).toBe("deploy");
    expect(cicd.ciRoleKind({ [cicd.CI_ROLE_KIND_ENV]: "preview" })).toBe("preview");
    expect(() => cicd.ciRoleKind({ [cicd.CI_ROLE_KIND_ENV]: "admin" })).toThrow(/CCB_DEPLOY_ROLE_KIND="admin" is not valid/);
  });
});
