import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRules } from "@ccb/infra/rules";
import { ALL_FIXTURES } from "@ccb/infra/rules/fixtures";

/**
 * The pack as the Pulumi CLI runs it: the bundle `npm run build` makes, started as its own process
 * (constructing the PolicyPack starts the analyzer's gRPC server on 127.0.0.1 and prints the port),
 * then asked over gRPC, with the engine's own protocol classes, what it enforces and what it finds.
 */

const PACK_DIR = path.resolve(__dirname, "..");
// The same gRPC and protobuf runtime the analyzer uses (dependencies of @pulumi/pulumi and @pulumi/policy).
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = fromPulumi("@grpc/grpc-js");
const analyzerRpc = fromPulumi("./proto/analyzer_grpc_pb");
const analyzerPb = fromPulumi("./proto/analyzer_pb");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");

let dir: string;
let child: ChildProcess;
/** The engine's generated protocol classes ship without types: the parts this test calls. */
type Rpc = <T>(request: unknown, callback: (err: Error | null, res: T) => void) => void;
interface AnalyzerClient {
  close(): void;
  analyzeStack: Rpc;
  getAnalyzerInfo: Rpc;
}
interface Diagnostic {
  getPolicyname(): string;
  getMessage(): string;
  getEnforcementlevel(): number;
  getUrn(): string;
}
interface PolicyInfo {
  getName(): string;
  getEnforcementlevel(): number;
}
interface AnalyzerInfo {
  getName(): string;
  getVersion(): string;
  getPoliciesList(): PolicyInfo[];
}
let client: AnalyzerClient | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "policy-pack-"));
  const bundle = path.join(dir, "index.js");
  execFileSync(process.execPath, [path.join(PACK_DIR, "scripts", "build.mjs"), bundle], { cwd: PACK_DIR, stdio: "pipe" });
  // cwd = the pack's directory, as the CLI runs it: PolicyPack reads the version from ./package.json.
  child = spawn(process.execPath, [bundle], {
    cwd: PACK_DIR,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_PATH: path.resolve(PACK_DIR, "../../node_modules") },
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`policy pack exited (${code}) before serving: ${stderr}`)));
  });
  client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(() => {
  client?.close();
  if (child?.pid && child.exitCode === null) child.kill("SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const call = <T>(method: "analyzeStack" | "getAnalyzerInfo", request: unknown): Promise<T> =>
  new Promise((resolve, reject) => client![method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));

function analyzerResource(r: { type: string; name: string; inputs: Record<string, unknown>; account?: string }): unknown {
  const res = new analyzerPb.AnalyzerResource();
  res.setType(r.type);
  res.setName(r.name);
  res.setUrn(`urn:pulumi:pilot::claude-code-bedrock::${r.type}::${r.name}`);
  res.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(r.inputs))));
  res.setOptions(new analyzerPb.AnalyzerResourceOptions()); // the CLI always sends options
  if (r.account) {
    const provider = new analyzerPb.AnalyzerProviderResource();
    provider.setType("pulumi:providers:aws");
    provider.setName("inference");
    provider.setUrn("urn:pulumi:pilot::claude-code-bedrock::pulumi:providers:aws::inference");
    provider.setProperties(Struct.fromJavaScript({ allowedAccountIds: [r.account], region: "us-east-1" }));
    res.setProvider(provider);
  }
  return res;
}

async function analyze(stack: Array<{ type: string; name: string; inputs: Record<string, unknown>; account?: string }>) {
  const req = new analyzerPb.AnalyzeStackRequest();
  req.setResourcesList(stack.map(analyzerResource));
  const res = await call<{ getDiagnosticsList(): Diagnostic[] }>("analyzeStack", req);
  return res.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    message: d.getMessage(),
    mandatory: d.getEnforcementlevel() === analyzerPb.EnforcementLevel.MANDATORY,
    urn: d.getUrn(),
  }));
}

describe("the policy pack process", () => {
  it("serves every rule as a policy, mandatory unless the rule is advisory", async () => {
    const info = await call<AnalyzerInfo>("getAnalyzerInfo", new Empty());
    expect(info.getName()).toBe("claude-code-bedrock-security");
    expect(info.getVersion()).toBe("0.1.0");
    const listed = info
      .getPoliciesList()
      .map((p) => ({ name: p.getName(), mandatory: p.getEnforcementlevel() === analyzerPb.EnforcementLevel.MANDATORY }));
    expect(listed.map((p) => p.name)).toEqual(allRules().map((r) => r.id));
    expect(listed.filter((p) => !p.mandatory).map((p) => p.name)).toEqual(
      allRules()
        .filter((r) => r.severity === "advisory")
        .map((r) => r.id),
    );
    expect(listed.filter((p) => !p.mandatory)).toHaveLength(1);
  });

  it("reports a GitHub trust open to a whole organisation, and nothing for the pinned one", async () => {
    const bad = ALL_FIXTURES["cicd-github-trust-pinned"]!;
    const found = await analyze(bad.bad);
    const mine = found.filter((d) => d.policy === "cicd-github-trust-pinned");
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ mandatory: true, urn: "urn:pulumi:pilot::claude-code-bedrock::aws:iam/role:Role::deploy" });
    expect(mine[0]?.message).toMatch(bad.expect);
    expect((await analyze(bad.good)).filter((d) => d.policy === "cicd-github-trust-pinned")).toEqual([]);
  });

  it("reports wildcard actions in an inline policy", async () => {
    const f = ALL_FIXTURES["iam-no-wildcard-actions"]!;
    expect((await analyze(f.bad)).map((d) => d.policy)).toContain("iam-no-wildcard-actions");
    expect((await analyze(f.good)).map((d) => d.policy)).not.toContain("iam-no-wildcard-actions");
  });
});
