/**
 * IAM Identity Center stages: the corporate IdP is optional (required only by what still validates its
 * tokens), and the CI roles of the account that administers the instance get exactly the `sso` actions
 * the permission set and its assignments need, nowhere else.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rules } from "@ccb/infra";
import { asList, policyOf, type StatementJson } from "@ccb/infra/inventory";
import { parseStageSettings } from "@ccb/contracts";
import { parseStageConfig } from "./config/stage-config";
import { configProblemsOf, put, rawStage, type RawStage, repoRoot, runStage, type StageRun } from "./testing";

const EXAMPLES = path.join(repoRoot, "stacks", "examples");
const INSTANCE = "arn:aws:sso:::instance/ssoins-72230a1b2c3d4e5f";
const POLICY = "aws:iam/policy:Policy";
let previousDir: string | undefined;

beforeAll(() => {
  previousDir = process.env.CCB_STACK_DIR;
  process.env.CCB_STACK_DIR = EXAMPLES;
});
afterAll(() => {
  if (previousDir === undefined) delete process.env.CCB_STACK_DIR;
  else process.env.CCB_STACK_DIR = previousDir;
});

/** The example IdC stage without the corporate IdP (and so without telemetry, which still validates its tokens). */
const withoutIdp = (c: RawStage) => {
  put(c, "identityProvider", undefined);
  put(c, "telemetry.enabled", false);
};

const problemsOf = configProblemsOf;

/** Statements of the CI managed policies (`<prefix>-ci-<kind>-<key>`) of an account. */
function ciStatements(run: StageRun, account: string, kind: "deploy" | "preview"): Map<string, StatementJson[]> {
  const out = new Map<string, StatementJson[]>();
  for (const r of run.recorder.byType(POLICY)) {
    const name = String(r.inputs.name);
    const m = new RegExp(`-ci-${kind}-([a-z-]+)$`).exec(name);
    if (r.account === account && m) out.set(m[1]!, policyOf(r.inputs.policy)!.Statement);
  }
  return out;
}
const actionsOf = (statements: readonly StatementJson[]) => statements.flatMap((s) => asList<string>(s.Action ?? []));

describe("stage.identityProvider in an IAM Identity Center stage", () => {
  it("may be left out when nothing in the stage validates the IdP's tokens", () => {
    expect(problemsOf("idc", withoutIdp)).toEqual([]);
    const raw = rawStage("idc");
    withoutIdp(raw);
    expect(parseStageConfig("idc", raw).identityProvider).toBeUndefined();
  });

  it("is required with telemetry, and the error names the key, the reason and both fixes", () => {
    expect(problemsOf("idc", (c) => put(c, "identityProvider", undefined))).toEqual([
      "stage.identityProvider: is required with telemetry.enabled: the collector's load balancer validates the corporate IdP's id_tokens as its default issuer (the token endpoint only adds IdC users to it); add the identityProvider section (kind, issuer, clientId, allowedSubjects or requiredSessionTag), or set telemetry.enabled: false",
    ]);
  });

  it("stays required in direct and Cognito stages", () => {
    expect(problemsOf("idc", (c) => (withoutIdp(c), put(c, "federation", { mode: "direct" })))).toContain(
      "stage.identityProvider: is required and must be a map",
    );
  });

  it("without it the stage creates no OIDC provider, keeps the developer boundary, and publishes settings without an IdP", async () => {
    const run = await runStage("idc", withoutIdp);
    expect(run.recorder.byType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((r) => r.inputs.url)).toEqual([
      "https://token.actions.githubusercontent.com",
    ]);
    expect(run.recorder.byType(POLICY).map((r) => r.inputs.name)).toContain("ccb-idc-developer-boundary");
    expect(run.outputs).not.toHaveProperty("oidcProviderArn");
    const settings = parseStageSettings(run.outputs.helperSettings);
    expect(settings).not.toHaveProperty("identityProvider");
    expect(settings.federation.mode).toBe("identity-center");
    expect(rules.findingsOf(run.recorder.resources)).toEqual([]);
  }, 120_000);
});

describe("the CI roles of an IAM Identity Center stage", () => {
  let run: StageRun;
  beforeAll(async () => {
    run = await runStage("idc");
  }, 120_000);

  it("the administrator account (outside the stage's accounts) gets CI roles with the Identity Center policy and no service group", () => {
    const deploy = ciStatements(run, "111111111111", "deploy");
    expect([...deploy.keys()]).toEqual(["identity-center"]);
    const statements = deploy.get("identity-center")!;
    const actions = actionsOf(statements);
    expect(actions.every((a) => a.startsWith("sso:") && !a.includes("*"))).toBe(true);
    expect(actions).toEqual(
      expect.arrayContaining(["sso:CreatePermissionSet", "sso:CreateAccountAssignment", "sso:ProvisionPermissionSet"]),
    );
    expect(actions.filter((a) => a.startsWith("identitystore:"))).toEqual([]);
    // Every statement names the instance; none reaches another instance's permission sets or another account.
    for (const s of statements) {
      const resources = asList<string>(s.Resource ?? []);
      expect(resources).toContain(INSTANCE);
      expect(
        resources.every((r) =>
          [INSTANCE, "arn:aws:sso:::permissionSet/ssoins-72230a1b2c3d4e5f/*", "arn:aws:sso:::account/222222222222"].includes(r),
        ),
      ).toBe(true);
    }
    const assign = statements.find((s) => s.Sid === "AssignStagePermissionSets")!;
    expect(asList<string>(assign.Resource ?? [])).toContain("arn:aws:sso:::account/222222222222");
    const preview = actionsOf(ciStatements(run, "111111111111", "preview").get("identity-center")!);
    expect(preview.length).toBeGreaterThan(0);
    expect(preview.filter((a) => !/^sso:(Describe|Get|List)/.test(a))).toEqual([]);
  });

  it("no other account's CI role gets any sso action", () => {
    for (const account of ["222222222222", "333333333333", "444444444444"]) {
      const all = [...ciStatements(run, account, "deploy").values(), ...ciStatements(run, account, "preview").values()].flat();
      expect(
        actionsOf(all).filter((a) => a.startsWith("sso:")),
        account,
      ).toEqual([]);
    }
  });

  it("an instance administered by the inference account puts the policy on the inference account's roles", async () => {
    const own = await runStage("idc", (c) => put(c, "federation.identityCenter.adminAccount", undefined));
    expect([...ciStatements(own, "222222222222", "deploy").keys()]).toContain("identity-center");
    expect(own.recorder.resources.filter((r) => r.account === "111111111111")).toEqual([]);
    expect(rules.findingsOf(own.recorder.resources)).toEqual([]);
  }, 120_000);

  it("the instance's Region is one of the Regions the CI roles may act in", async () => {
    const eu = await runStage("idc", (c) => put(c, "federation.identityCenter.ssoRegion", "eu-west-1"));
    const guard = eu.recorder.byType(POLICY).find((r) => r.inputs.name === "ccb-idc-ci-guardrails" && r.account === "111111111111")!;
    const regions = policyOf(guard.inputs.policy)!.Statement.find((s) => s.Sid === "DenyOutsideStageRegions")!.Condition!.StringNotEquals![
      "aws:RequestedRegion"
    ];
    expect(asList<string>(regions as string | string[])).toEqual(["us-east-1", "eu-west-1"]);
  }, 120_000);
});

describe("stages without IAM Identity Center", () => {
  it.each(["pilot", "prod"] as const)(
    "%s: no CI policy holds an sso action",
    async (stage) => {
      const previous = process.env.CCB_STACK_DIR;
      delete process.env.CCB_STACK_DIR;
      try {
        const run = await runStage(stage);
        const statements = run.recorder
          .byType(POLICY)
          .filter((r) => /-ci-(deploy|preview)-/.test(String(r.inputs.name)))
          .flatMap((r) => policyOf(r.inputs.policy)!.Statement);
        expect(statements.length).toBeGreaterThan(5);
        expect(actionsOf(statements).filter((a) => a.startsWith("sso:"))).toEqual([]);
      } finally {
        if (previous !== undefined) process.env.CCB_STACK_DIR = previous;
      }
    },
    120_000,
  );
});
