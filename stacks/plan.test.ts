import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./testing";

/** The README's main command, run as a reviewer runs it: a separate process whose stdout is a pipe. */
const plan = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"), path.join(repoRoot, "stacks", "plan.ts"), ...args],
    {
      cwd: repoRoot,
      encoding: "utf8",
      timeout: 90_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );

describe("offline plan", () => {
  it.each(["pilot", "prod"])("%s: prints resources, readable policies and passing rule verdicts, exit 0", (stage) => {
    const r = plan(stage);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Plan of stage "${stage}"`));
    expect(r.stdout).toMatch(/\n {2}account \d{12} {2}region us-east-1\n/);
    expect(r.stdout).toMatch(/\n {4}ALLOW \[bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream\] {3}\([A-Za-z]+\)\n/);
    expect(r.stdout).toMatch(/\n {2}pass {2}iam-federated-trust-pinned/);
    expect(r.stdout.trimEnd()).toMatch(/All \d+ security rules pass\.$/);
  });

  it("--json is complete, parseable output (large writes to a pipe are not cut off)", () => {
    const r = plan("prod", "--json");
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.stage).toBe("prod");
    expect(out.resources.length).toBeGreaterThan(100);
    expect(out.rules.every((v: { findings: unknown[] }) => v.findings.length === 0)).toBe(true);
    expect(out.outputs.helperSettings.stage).toBe("prod");
  });

  it("an unknown stage exits 2 with a message naming the missing file; bad flags print usage", () => {
    const missing = plan("staging");
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(/cannot read .*Pulumi\.staging\.yaml/);
    const usage = plan("pilot", "--yaml");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^usage: plan <stage> \[--json\]/);
  });
});
