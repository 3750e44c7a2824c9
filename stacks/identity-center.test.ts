import * as path from "node:path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rules } from "@ccb/infra";
import { arr, at, policyOf, stringsOf } from "@ccb/infra/inventory";
import { parseStageSettings } from "@ccb/contracts";
import { StageConfigError } from "./config/problems";
import { parseStageConfig } from "./config/stage-config";
import { edit, put, rawStage, type RawStage, repoRoot, runStage, type StageRun } from "./testing";

/**
 * The example IAM Identity Center stage (stacks/examples/Pulumi.idc.yaml), planned on the mock engine:
 * the permission set, its assignments, boundary and quota references, the helper settings, every
 * security rule, and what the permission set's policy allows under the IAM simulator.
 */

const EXAMPLES = path.join(repoRoot, "stacks", "examples");
let previousDir: string | undefined;
let run: StageRun;
let raw: RawStage;

beforeAll(async () => {
  previousDir = process.env.CCB_STACK_DIR;
  process.env.CCB_STACK_DIR = EXAMPLES;
  raw = rawStage("idc");
  run = await runStage("idc");
}, 120_000);
afterAll(() => {
  if (previousDir === undefined) delete process.env.CCB_STACK_DIR;
  else process.env.CCB_STACK_DIR = previousDir;
});

const SSO = "aws:ssoadmin/";

describe("example stage idc (IAM Identity Center)", () => {
  it("the config decides to key the quota block on the session name IdC sets, never on a session tag", () => {
    expect(parseStageConfig("idc", raw).decisions.quotaBlockKey).toBe("session-name");
    const noBlock = structuredClone(raw);
    edit(noBlock, "quotas.enforcement", (v) => ({ ...v, serverSideBlock: false }));
    expect(parseStageConfig("idc", noBlock).decisions.quotaBlockKey).toBeUndefined();
  });

  it("passes every security rule, and the IAM rules inspected the permission set's policy", () => {
    const verdicts = rules.evaluateRules(run.recorder.resources);
    expect(verdicts.flatMap((v) => v.findings)).toEqual([]);
    const inline = run.recorder.byType(`${SSO}permissionSetInlinePolicy:PermissionSetInlinePolicy`);
    expect(inline).toHaveLength(1);
    expect(rules.evaluateRules(inline).find((v) => v.rule === "iam-no-wildcard-actions")!.checked).toBe(1);
    expect(verdicts.find((v) => v.rule === "idc-permission-set-bounded")!.checked).toBe(1);
    expect(verdicts.find((v) => v.rule === "apigw-route-authorized")!.checked).toBeGreaterThanOrEqual(4);
  });

  it("creates one permission set with the stage's session length, the developer boundary and one assignment per group", () => {
    const [set] = run.recorder.byType(`${SSO}permissionSet:PermissionSet`);
    expect(set!.inputs).toMatchObject({
      name: "ClaudeCode",
      sessionDuration: "PT12H",
      instanceArn: at(raw, "federation", "identityCenter", "instanceArn"),
    });
    const [boundary] = run.recorder.byType(`${SSO}permissionsBoundaryAttachment:PermissionsBoundaryAttachment`);
    expect(at(boundary!.inputs, "permissionsBoundary", "customerManagedPolicyReference")).toEqual({
      name: "ccb-idc-developer-boundary",
      path: "/",
    });
    const assignments = run.recorder.byType(`${SSO}accountAssignment:AccountAssignment`);
    expect(assignments.map((a) => a.inputs.principalId).sort()).toEqual(
      [...arr(at(raw, "federation", "identityCenter", "groupIds"))].sort(),
    );
    for (const a of assignments)
      expect(a.inputs).toMatchObject({
        principalType: "GROUP",
        targetType: "AWS_ACCOUNT",
        targetId: at(raw, "accounts", "inference", "id"),
      });
    // The quota deny policies are referenced by name (IdC owns the role, so nothing attaches to it directly).
    const refs = run.recorder
      .byType(`${SSO}customerManagedPolicyAttachment:CustomerManagedPolicyAttachment`)
      .map((r) => String(at(r.inputs, "customerManagedPolicyReference", "name")));
    expect(refs.sort()).toEqual(["ccb-idc-quota-block-0", "ccb-idc-quota-block-1"]);
    expect(
      run.recorder
        .byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => String(a.inputs.role).startsWith("AWSReservedSSO")),
    ).toEqual([]);
    // No OIDC developer role in this mode.
    expect(run.recorder.resources.some((r) => r.name === "ccb-idc-federation-users")).toBe(false);
  });

  it("keys the quota block on the IdC session name and meters invocation logs of the reserved role", () => {
    const blocks = run.recorder.byType("aws:iam/policy:Policy").filter((p) => p.name.startsWith("ccb-idc-quotas-block-"));
    expect(blocks).toHaveLength(2);
    for (const b of blocks)
      expect(Object.keys(policyOf(b.inputs.policy)!.Statement[0]?.Condition?.StringLike ?? {})).toEqual(["aws:userid"]);
    const aggregate = run.recorder.byType("aws:lambda/function:Function").find((f) => f.name === "ccb-idc-quotas-aggregate")!;
    expect(JSON.parse(String(at(aggregate.inputs, "environment", "variables", "INVOCATION_LOGS_SOURCE"))).roleName).toBe(
      "AWSReservedSSO_ClaudeCode_*",
    );
    expect(at(aggregate.inputs, "environment", "variables", "BLOCK_PRINCIPAL_TAG")).toBeUndefined();
    const check = run.recorder.byType("aws:lambda/function:Function").find((f) => f.name === "ccb-idc-quotas-check")!;
    expect(at(check.inputs, "environment", "variables", "IAM_CALLER_ROLE_PREFIX")).toBe("AWSReservedSSO_ClaudeCode_");
    expect(
      run.recorder.byType("aws:apigatewayv2/route:Route").find((r) => r.inputs.routeKey === "GET /check")!.inputs.authorizationType,
    ).toBe("AWS_IAM");
  });

  it("outputs identity-center helper settings: start URL, SSO Region, account and permission set", () => {
    const settings = parseStageSettings(run.outputs.helperSettings);
    expect(settings.federation).toEqual({
      mode: "identity-center",
      startUrl: "https://example.awsapps.com/start",
      ssoRegion: "us-east-1",
      accountId: at(raw, "accounts", "inference", "id"),
      roleName: "ClaudeCode",
    });
    expect(settings.quota?.checkUrl).toMatch(/^https:\/\//);
  });

  it("refuses a JWT-authorised quota check and registry grants to the IdC role, naming the keys", async () => {
    await expect(
      runStage("idc", (s) => {
        put(s, "quotas.check.authorization", "jwt");
        put(s, "distribution.developerRoleReads", true);
      }),
    ).rejects.toThrow(StageConfigError);
    await expect(
      runStage("idc", (s) => {
        put(s, "quotas.check.authorization", "jwt");
      }),
    ).rejects.toThrow(/stage\.quotas\.check\.authorization.*must be iam/s);
    await expect(
      runStage("idc", (s) => {
        put(s, "federation.identityCenter", undefined);
      }),
    ).rejects.toThrow(/stage\.federation\.identityCenter/);
    await expect(
      runStage("idc", (s) => {
        put(s, "federation.identityCenter.groupIds", []);
      }),
    ).rejects.toThrow(/groupIds/);
  });
});

// ---- The permission set's policy under the IAM simulator ---------------------------------------

type Verdict = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

describe("example stage idc: the permission set's policy, evaluated", () => {
  const account = () => String(at(raw, "accounts", "inference", "id"));
  const session = () => `arn:aws:sts::${account()}:assumed-role/AWSReservedSSO_ClaudeCode_0123456789abcdef/alice@example.com`;
  const doc = () => policyOf(run.recorder.byType(`${SSO}permissionSetInlinePolicy:PermissionSetInlinePolicy`)[0]!.inputs.inlinePolicy)!;
  const boundary = () =>
    policyOf(run.recorder.byType("aws:iam/policy:Policy").find((p) => p.name === "ccb-idc-federation-boundary")!.inputs.policy)!;

  async function verdict(action: string, resource: string, context: Record<string, string> = {}): Promise<Verdict> {
    const r = await runSimulation(
      {
        identityPolicies: [{ name: "permission-set", policy: doc() }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        permissionBoundaryPolicies: [{ name: "boundary", policy: boundary() }],
        request: { action, principal: session(), resource: { accountId: account(), resource }, contextVariables: context },
      },
      {},
    );
    if (r.resultType === "error") throw new Error(JSON.stringify(r.errors));
    return r.overallResult as Verdict;
  }

  const profile = (model: string) => `arn:aws:bedrock:us-east-1:${account()}:inference-profile/us.${model}`;
  const foundation = (model: string, region = "us-east-2") => `arn:aws:bedrock:${region}::foundation-model/${model}`;

  it("allows the stage's models through the stage's profiles", async () => {
    for (const role of ["primary", "fast", "opus"]) {
      const model = String(at(raw, "models", role));
      expect(await verdict("bedrock:InvokeModel", profile(model)), `${role} profile`).toBe("Allowed");
      expect(
        await verdict("bedrock:InvokeModelWithResponseStream", foundation(model), { "bedrock:InferenceProfileArn": profile(model) }),
        `${role} through its profile`,
      ).toBe("Allowed");
    }
  });

  it("denies other models, direct on-demand calls and everything else", async () => {
    const other = "anthropic.claude-3-haiku-20240307-v1:0";
    expect(await verdict("bedrock:InvokeModel", profile(other))).toBe("ImplicitlyDenied");
    expect(await verdict("bedrock:InvokeModel", foundation(other), { "bedrock:InferenceProfileArn": profile(other) })).toBe(
      "ImplicitlyDenied",
    );
    expect(await verdict("bedrock:InvokeModel", foundation(String(at(raw, "models", "primary")), "us-east-1"))).toBe("ImplicitlyDenied");
    expect(await verdict("s3:GetObject", "arn:aws:s3:::some-bucket/key")).toBe("ImplicitlyDenied");
    expect(await verdict("iam:PassRole", `arn:aws:iam::${account()}:role/anything`)).toBe("ImplicitlyDenied");
  });
});

// ---- Telemetry for IAM callers: the token endpoint and the two trusted issuers ------------------

describe("example stage idc: telemetry token endpoint", () => {
  it("creates an IAM-authorised token route and public issuer metadata routes only", () => {
    const routes = run.recorder.byType("aws:apigatewayv2/route:Route").filter((r) => r.name.startsWith("ccb-idc-telemetry-token"));
    expect(Object.fromEntries(routes.map((r) => [r.inputs.routeKey, r.inputs.authorizationType]))).toEqual({
      "GET /token": "AWS_IAM",
      "GET /.well-known/jwks.json": "NONE",
      "GET /.well-known/openid-configuration": "NONE",
    });
  });

  it("signs with an ECC_NIST_P256 key that only the token function may use to sign", () => {
    const key = run.recorder.byType("aws:kms/key:Key").find((k) => k.name === "ccb-idc-telemetry-token-signing-key")!;
    expect(key.inputs).toMatchObject({ customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" });
    const statements = policyOf(key.inputs.policy)!.Statement;
    const signers = statements.filter((s) => stringsOf(s.Action).includes("kms:Sign"));
    expect(signers).toHaveLength(1);
    const role = run.recorder.one("aws:iam/role:Role", "ccb-idc-telemetry-token-role");
    expect(at(signers[0]?.Principal, "AWS")).toContain(role.name);
    expect(at(signers[0]?.Principal, "AWS")).not.toMatch(/:root$/);
    // No other principal's IAM policy can add kms:Sign: the root statement does not delegate it.
    const root = statements.find((s) => String(at(s.Principal, "AWS") ?? "").endsWith(":root"))!;
    expect(stringsOf(root.Action)).not.toContain("kms:Sign");
    const fn = run.recorder.byType("aws:lambda/function:Function").find((f) => f.name === "ccb-idc-telemetry-token-function")!;
    expect(at(fn.inputs, "environment", "variables")).toMatchObject({
      AUDIENCE: "claude-code-telemetry",
      IDC_ROLE_PREFIX: "AWSReservedSSO_ClaudeCode_",
      TOKEN_TTL_SECONDS: "3600",
      WORKLOAD_ROLE_NAMES: "ccb-idc-workload-invoke",
    });
    // The cross-account role may fetch a token for its workloads' telemetry (and nothing else on the API).
    const xa = run.recorder
      .byType("aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.name === "ccb-idc-telemetry-token-invoke-xa-workload-invoke");
    const invoke = xa
      .flatMap((p) => policyOf(p.inputs.policy)!.Statement)
      .filter((s) => stringsOf(s.Action).includes("execute-api:Invoke"));
    expect(invoke.flatMap((s) => stringsOf(s.Resource)).map((r) => r.replace(/^.*\/\*\//, ""))).toEqual(["GET/token"]);
  });

  it("the ALB and the collector trust the token endpoint beside the corporate IdP", () => {
    const rule = run.recorder.byType("aws:lb/listenerRule:ListenerRule")[0]!;
    expect(rule.inputs.conditions).toEqual([{ httpHeader: { httpHeaderName: "x-ccb-token-issuer", values: ["iam"] } }]);
    const jwt = at(
      arr(rule.inputs.actions).find((a) => at(a, "type") === "jwt-validation"),
      "jwtValidation",
    );
    const issuer = String(at(run.outputs.helperSettings, "telemetry", "tokenUrl")).replace(/\/token$/, "");
    expect(jwt).toMatchObject({
      issuer,
      jwksEndpoint: `${issuer}/.well-known/jwks.json`,
      additionalClaims: [{ name: "aud", format: "single-string", values: ["claude-code-telemetry"] }],
    });
    const td = run.recorder.one("aws:ecs/taskDefinition:TaskDefinition", "ccb-idc-telemetry-task").inputs;
    const rendered = parse(JSON.parse(String(td.containerDefinitions))[0].environment[0].value);
    const providers = rendered.extensions.oidc.providers as Array<{ issuer_url: string; audience: string; username_claim: string }>;
    expect(providers.map((p) => p.issuer_url)).toEqual([at(raw, "identityProvider", "issuer"), issuer]);
    expect(providers[1]).toMatchObject({ audience: "claude-code-telemetry", username_claim: "sub" });
    expect(providers[0]).toMatchObject({ audience: at(raw, "identityProvider", "clientId"), username_claim: "email" });
  });

  it("lets the permission set call GET /token and GET /check, nothing else on the APIs", () => {
    const statements = policyOf(
      run.recorder.byType(`${SSO}permissionSetInlinePolicy:PermissionSetInlinePolicy`)[0]!.inputs.inlinePolicy,
    )!.Statement;
    const invoke = statements.filter((s) => stringsOf(s.Action).includes("execute-api:Invoke"));
    expect(
      invoke
        .flatMap((s) => stringsOf(s.Resource))
        .map((r) => r.replace(/^.*\/\*\//, ""))
        .sort(),
    ).toEqual(["GET/check", "GET/token"]);
  });
});
