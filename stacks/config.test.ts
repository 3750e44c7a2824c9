/**
 * Stage configuration that used to plan with exit 0 (or die with a stack trace) and must be refused
 * with its key and fix: through parseStageConfig, and through the real offline plan entry.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ConfigProblems, StageConfigError } from "./config/problems";
import { renderConfigurationDoc } from "./config/configuration-doc";
import { AWS_REGIONS, isAwsRegion } from "./config/regions";
import { checkKnownKeys, schemaPaths, STAGE_SCHEMA } from "./config/schema";
import { parseStageConfig } from "./config/stage-config";
import { editDistance, nearest } from "./config/suggest";
import { configProblemsOf, put, rawStage, type RawStage, repoRoot } from "./testing";

const stageOf = (stage: "pilot" | "prod") => rawStage(stage);

/** The problems parseStageConfig reports for an edited stage (empty when it accepts it). */
const problemsOf = (stage: "pilot" | "prod", edit: (c: RawStage) => void): string[] => configProblemsOf(stage, edit);

describe("unknown keys", () => {
  it.each([
    [
      "a misspelt area",
      (c: RawStage) => put(c, "telemtry", { enabled: true }),
      "stage.telemtry: is not a known key: did you mean `telemetry`?",
    ],
    [
      "a misspelt flag",
      (c: RawStage) => put(c, "inference.restrictTeamProfile", true),
      "stage.inference.restrictTeamProfile: is not a known key: did you mean `restrictTeamProfiles`?",
    ],
    [
      "a key in a list item",
      (c: RawStage) => put(c, ["teams", 0, "costcenter"], "CC-1"),
      "stage.teams[0].costcenter: is not a known key: did you mean `costCenter`?",
    ],
    [
      "a key inside a disabled area",
      (c: RawStage) => put(c, "analytics", { enabled: false, dataRetentionDay: 30 }),
      "stage.analytics.dataRetentionDay: is not a known key: did you mean `dataRetentionDays`?",
    ],
    [
      "a price key under a model id",
      (c: RawStage) =>
        put(c, "quotas.pricing", {
          "anthropic.claude-sonnet-4-5-20250929-v1:0": { input: 3, outptu: 15, cacheRead: 0.3, cacheWrite: 3.75 },
        }),
      "stage.quotas.pricing.anthropic.claude-sonnet-4-5-20250929-v1:0.outptu: is not a known key: did you mean `output`?",
    ],
    [
      "a right key in the wrong section",
      (c: RawStage) => put(c, "restrictTeamProfiles", true),
      "stage.restrictTeamProfiles: is not a known key: it belongs under `stage.inference.restrictTeamProfiles`",
    ],
  ])("%s is refused with the nearest known key", (_label, edit, expected) => {
    const problems = problemsOf("prod", edit);
    expect(
      problems.some((p) => p.startsWith(expected)),
      problems.join("\n"),
    ).toBe(true);
  });

  it("a key far from any known one lists the keys of its section", () => {
    const problems = problemsOf("pilot", (c) => put(c, "federation.zzz", 1));
    expect(problems).toEqual([
      expect.stringMatching(/^stage\.federation\.zzz: is not a known key; known keys here: mode, sessionDurationHours, identityCenter; /),
    ]);
  });

  it("free-form maps (tags) accept any key; the removed destinationRegions says what replaced it", () => {
    expect(problemsOf("pilot", (c) => put(c, ["tags", "any-tag"], "x"))).toEqual([]);
    expect(problemsOf("pilot", (c) => put(c, "models.destinationRegions", ["us-east-1"]))).toEqual([
      "stage.models.destinationRegions: is no longer used: access follows the profile's geography (crossRegion); remove the key",
    ]);
  });

  it("suggestions come from the edit distance, transpositions counting once", () => {
    expect(editDistance("telemtry", "telemetry")).toBe(1);
    expect(editDistance("ture", "true")).toBe(1);
    expect(nearest("restrictTeamProfile", ["denyBedrockApiKeys", "restrictTeamProfiles", "alarms"])).toBe("restrictTeamProfiles");
    expect(nearest("zzz", ["mode", "sessionDurationHours"])).toBeUndefined();
  });
});

describe("the schema is the one list of stage keys", () => {
  const declared = new Set(schemaPaths().map((x) => x.path));

  it("every key the readers read is declared (both stages, and every area switched on)", () => {
    const read = new Set<string>();
    const parse = (stage: "pilot" | "prod", raw: unknown) => {
      const p = new ConfigProblems();
      parseStageConfig(stage, raw, p);
      for (const k of p.read) read.add(k);
    };
    {
      for (const stage of ["pilot", "prod"] as const) parse(stage, stageOf(stage));
      const variants: ["pilot" | "prod", (c: RawStage) => void][] = [
        [
          "prod",
          (c) => {
            put(c, "telemetry.network", {
              existing: {
                vpcId: "vpc-0123456789abcdef0",
                cidrBlock: "10.0.0.0/16",
                publicSubnetIds: ["subnet-01234567", "subnet-89abcdef"],
                privateSubnetIds: ["subnet-01234568", "subnet-89abcdf0"],
              },
            });
            put(c, "telemetry.sslPolicy", "ELBSecurityPolicy-TLS13-1-2-2021-06");
            put(c, "telemetry.jwksUri", "https://example.okta.com/oauth2/default/v1/keys");
            put(c, "quotas.defaults.monthlyTokens", 1000000);
            put(c, "quotas.defaults.dailyTokens", 100000);
            put(c, "quotas.settleMinutes", 10);
            put(c, "quotas.check.authorization", "jwt");
            put(c, "quotas.check.reservedConcurrency", 20);
            put(c, "quotas.sources.invocationLogsKeyPrefix", "logs/");
            put(c, "analytics.forceDestroy", false);
            put(c, "distribution.domainName", "ccb-prod");
            put(c, "distribution.publisher", {
              github: {
                oidcProviderArn: "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com",
                repository: "example-org/x",
                // The protected environment is required; the tag pattern only pins the tags besides.
                environment: "helper-release",
                tagPattern: "helper-v*",
              },
            });
            put(c, "cicd.release.codeArtifact", { domain: "ccb-prod", repository: "claude-code", packageName: "@example/claude-bedrock" });
            put(c, "cicd.permissionsBoundaryArn", "arn:aws:iam::222222222222:policy/org-ci-boundary");
            put(c, "cicd.additionalRegions", ["us-west-2"]);
            put(c, "cicd.github.deployBranch", "main");
            put(c, "cicd.github.existingOidcProviderArn", "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com");
            put(c, "identityProvider.existingProviderArn", "arn:aws:iam::222222222222:oidc-provider/example.okta.com/oauth2/default");
            put(c, "identityProvider.redirectHost", "localhost");
            put(c, ["crossAccount", "roles", 0, "externalId"], "ext-123");
            put(c, ["crossAccount", "roles", 0, "principalArnPatterns"], ["arn:aws:iam::444444444444:role/ci-*"]);
          },
        ],
        [
          "pilot",
          (c) => {
            put(c, "distribution.publisher", { roleNames: ["ccb-pilot-ci-release"], accountId: "111111111111" });
            put(c, "telemetry.certificateArn", "arn:aws:acm:us-east-1:111111111111:certificate/0f9e8d7c-6b5a-4321-9876-abcdef012345");
          },
        ],
        [
          "pilot",
          (c) => {
            put(c, "distribution", {
              enabled: true,
              packageName: "@example/claude-bedrock-pilot",
              registry: { kind: "npm", url: "https://npm.example.com/" },
            });
          },
        ],
      ];
      for (const [stage, edit] of variants) {
        const raw = stageOf(stage);
        edit(raw);
        parse(stage, raw);
      }
    }
    expect(read.size).toBeGreaterThan(150);
    expect([...read].filter((k) => !declared.has(k))).toEqual([]);
  });

  it("every key both stage files use is declared, and the walk itself finds nothing in them", () => {
    for (const stage of ["pilot", "prod"] as const) {
      const p = new ConfigProblems();
      checkKnownKeys(stageOf(stage), p);
      expect(p.list).toEqual([]);
    }
    expect(STAGE_SCHEMA.keys.inference).toBeDefined();
  });
});

describe("a missing stage", () => {
  it.each([
    ["undefined", undefined, /^stage: is missing: Pulumi\.pilot\.yaml needs a `config:` map with the key claude-code-bedrock:stage/],
    ["null (an empty key)", null, /^stage: is missing/],
    ["a list", [], /^stage: must be a map of the stage's settings \(got a list\)/],
    ["a string", "pilot", /^stage: must be a map of the stage's settings \(got "pilot"\)/],
  ])("%s is a keyed problem, not a crash", (_label, raw, message) => {
    let error: unknown;
    try {
      parseStageConfig("pilot", raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StageConfigError);
    expect((error as StageConfigError).problems).toEqual([expect.stringMatching(message)]);
  });
});

describe("who may assume the developer role", () => {
  it("allowedSubjects are named subjects only: no wildcard or prefix", () => {
    const problems = problemsOf("pilot", (c) => put(c, "identityProvider.allowedSubjects", ["00u1alice", "00u*", "00u?bob"]));
    expect(problems).toEqual([
      expect.stringMatching(/^stage\.identityProvider\.allowedSubjects\[1\]: "00u\*" has a wildcard; list each user's exact `sub` value/),
      expect.stringMatching(/^stage\.identityProvider\.allowedSubjects\[2\]: "00u\?bob" has a wildcard/),
    ]);
  });

  it("requiredSessionTag.values are exact values (no wildcard)", () => {
    expect(problemsOf("prod", (c) => put(c, "identityProvider.requiredSessionTag.values", ["*"]))).toEqual([
      expect.stringMatching(
        /^stage\.identityProvider\.requiredSessionTag\.values\[0\]: "\*" is not an exact tag value: a wildcard admits every token that carries the tag key/,
      ),
    ]);
    expect(problemsOf("prod", (c) => put(c, "identityProvider.requiredSessionTag.values", ["enab*"]))).toHaveLength(1);
  });

  it("existingProviderArn must be the inference account's provider", () => {
    expect(
      problemsOf("prod", (c) =>
        put(c, "identityProvider.existingProviderArn", "arn:aws:iam::999999999999:oidc-provider/example.okta.com/oauth2/default"),
      ),
    ).toEqual([
      expect.stringMatching(
        /^stage\.identityProvider\.existingProviderArn: is in account 999999999999, but the user role is created in the inference account 222222222222/,
      ),
    ]);
    expect(
      problemsOf("prod", (c) =>
        put(c, "identityProvider.existingProviderArn", "arn:aws:iam::222222222222:oidc-provider/example.okta.com/oauth2/default"),
      ),
    ).toEqual([]);
  });

  it("Cognito identity pools cannot carry the IAM quota block (the pool role does not require the email tag)", () => {
    const cognito = (c: RawStage) => {
      put(c, "federation.mode", "cognito-identity-pool");
      put(c, "identityProvider.emailSessionTag", undefined);
    };
    expect(problemsOf("prod", cognito)).toEqual([
      expect.stringMatching(
        /^stage\.quotas\.enforcement\.serverSideBlock: cannot be enforced with federation\.mode: cognito-identity-pool/,
      ),
    ]);
    expect(problemsOf("prod", (c) => (cognito(c), put(c, "quotas.enforcement.serverSideBlock", false)))).toEqual([]);
  });
});

describe("cross-account principal patterns", () => {
  it.each([
    ["*", /is not a role ARN pattern/],
    ["arn:aws:iam::444444444444:*", /is not a role ARN pattern/],
    ["arn:aws:iam::444444444444:root", /is not a role ARN pattern/],
    ["arn:aws:iam::444444444444:role/*", /admits every role of account 444444444444/],
    ["arn:aws:iam::444444444444:role/*/*", /admits every role of account 444444444444/],
    ["arn:aws:iam::444444444444:role/*-ci", /admits every role of account 444444444444/],
    [
      "arn:aws:iam::555555555555:role/ci-build",
      /is in account 555555555555, which is not one of this role's sourceAccounts \(444444444444\)/,
    ],
  ])("%s is refused", (pattern, message) => {
    const problems = problemsOf("prod", (c) => put(c, ["crossAccount", "roles", 0, "principalArnPatterns"], [pattern]));
    expect(problems).toEqual([expect.stringMatching(/^stage\.crossAccount\.roles\[0\]\.principalArnPatterns\[0\]: /)]);
    expect(problems[0]).toMatch(message);
  });

  it("a pinned role name or name prefix in a source account is accepted", () => {
    expect(
      problemsOf("prod", (c) =>
        put(
          c,
          ["crossAccount", "roles", 0, "principalArnPatterns"],
          ["arn:aws:iam::444444444444:role/ci-*", "arn:aws:iam::444444444444:role/team/code-review"],
        ),
      ),
    ).toEqual([]);
  });
});

describe("Regions, accounts and units", () => {
  it("a Region must exist, with the nearest real one suggested", () => {
    expect(problemsOf("pilot", (c) => put(c, "region", "us-east-7"))).toEqual([
      expect.stringMatching(/^stage\.region: "us-east-7" is not an AWS Region \(did you mean us-east-1\?\); use one of us-east-1, /),
    ]);
    expect(problemsOf("pilot", (c) => put(c, "cicd.additionalRegions", ["eu-west-9"]))).toEqual([
      expect.stringMatching(/^stage\.cicd\.additionalRegions\[0\]: "eu-west-9" is not an AWS Region/),
    ]);
    for (const r of ["us-east-1", "us-gov-west-1", "cn-north-1", "eu-central-2", "ap-southeast-7", "mx-central-1"])
      expect(isAwsRegion(r)).toBe(true);
    for (const r of ["us-east-7", "eu-north-2", "us-gov-east-2"]) expect(isAwsRegion(r)).toBe(false);
    expect(new Set(AWS_REGIONS).size).toBe(AWS_REGIONS.length);
  });

  it("the CI roles' existing GitHub provider must be in the inference account", () => {
    expect(
      problemsOf("prod", (c) =>
        put(c, "cicd.github.existingOidcProviderArn", "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"),
      ),
    ).toEqual([
      expect.stringMatching(
        /^stage\.cicd\.github\.existingOidcProviderArn: is in account 999999999999, but the CI roles are created in the inference account 222222222222/,
      ),
    ]);
  });

  it("quota alert thresholds are percentages, not fractions", () => {
    expect(problemsOf("prod", (c) => put(c, "quotas.thresholds", [0.8, 0.9, 1]))).toEqual([
      expect.stringMatching(
        /^stage\.quotas\.thresholds: are percentages, not fractions: \[0\.8,0\.9,1\] would alert at 0\.8 %, 0\.9 %, 1 % of the limit; write whole percentages such as \[80, 90, 100\]/,
      ),
    ]);
  });
});

describe("checks that used to throw while the stage was being declared", () => {
  it.each([
    [
      "release without a registry",
      "pilot",
      (c: RawStage) => put(c, "distribution.enabled", false),
      /^stage\.cicd\.release: needs a registry to publish to/,
    ],
    [
      "CI across accounts without the organisation",
      "prod",
      (c: RawStage) => put(c, "organizationId", undefined),
      /^stage\.organizationId: is required with stage\.cicd across 3 accounts/,
    ],
    [
      "a generic IdP without jwksUri",
      "prod",
      (c: RawStage) => put(c, "identityProvider.kind", "generic"),
      /^stage\.telemetry\.jwksUri: is required for identityProvider\.kind: generic/,
    ],
    [
      "invocation logs as a source while logging is off",
      "prod",
      (c: RawStage) => (put(c, "quotas.sources.invocationLogs", true), put(c, "inference.invocationLogging.enabled", false)),
      /^stage\.quotas\.sources\.invocationLogs: is true but stage\.inference\.invocationLogging\.enabled is false/,
    ],
    [
      "telemetry as a source while telemetry is off",
      "prod",
      (c: RawStage) => (put(c, "quotas.sources.telemetry", true), put(c, "telemetry", { enabled: false })),
      /^stage\.quotas\.sources\.telemetry: is true but stage\.telemetry\.enabled is false/,
    ],
    [
      "enforceOn telemetry without telemetry",
      "prod",
      (c: RawStage) => (put(c, "quotas.enforceOn", "telemetry"), put(c, "telemetry", { enabled: false })),
      /^stage\.quotas\.enforceOn: is telemetry but the telemetry source is off/,
    ],
    [
      "organisation readers without the organisation",
      "pilot",
      (c: RawStage) => put(c, "distribution.readers.organization", true),
      /^stage\.distribution\.readers\.organization: is true but the stage has no organisation/,
    ],
  ])("%s", (_label, stage, edit, message) => {
    const problems = problemsOf(stage as "pilot" | "prod", edit);
    expect(
      problems.some((p) => message.test(p)),
      problems.join("\n"),
    ).toBe(true);
  });
});

/** The offline plan of a stack file written to a temporary directory (CCB_STACK_DIR), as a reviewer runs it. */
describe("the offline plan refuses these stack files with exit 2 and keyed messages, no stack trace", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ccb-plan-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const plan = (stage: string, text: string) => {
    writeFileSync(path.join(dir, `Pulumi.${stage}.yaml`), text);
    return spawnSync(
      process.execPath,
      [path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"), path.join(repoRoot, "stacks", "plan.ts"), stage],
      {
        cwd: repoRoot,
        encoding: "utf8",
        timeout: 90_000,
        env: { ...process.env, CCB_STACK_DIR: dir },
      },
    );
  };
  const expectRefused = (r: ReturnType<typeof plan>, ...messages: RegExp[]) => {
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    for (const m of messages) expect(r.stderr).toMatch(m);
  };

  it("an empty stack file, and one without the stage key", () => {
    expectRefused(plan("pilot", ""), /Pulumi\.pilot\.yaml, key claude-code-bedrock:stage/, /- stage: is missing/);
    expectRefused(plan("pilot", stringify({ config: { "aws:region": "us-east-1" } })), /- stage: is missing/);
  });

  it("every mistake of the list in one prod file, each named by its key", () => {
    const c = stageOf("prod");
    put(c, "telemtry", c.telemetry);
    put(c, "inference.restrictTeamProfile", true);
    put(c, "identityProvider.requiredSessionTag.values", ["*"]);
    put(c, "identityProvider.allowedSubjects", ["00u*"]);
    put(c, "identityProvider.existingProviderArn", "arn:aws:iam::999999999999:oidc-provider/example.okta.com/oauth2/default");
    put(c, ["crossAccount", "roles", 0, "principalArnPatterns"], ["*"]);
    put(c, "region", "us-east-7");
    put(c, "quotas.thresholds", [0.8, 0.9, 1]);
    put(c, "cicd.github.existingOidcProviderArn", "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com");
    const r = plan("prod", stringify({ config: { "aws:region": "us-east-1", "claude-code-bedrock:stage": c } }));
    expectRefused(
      r,
      /- stage\.telemtry: is not a known key: did you mean `telemetry`\?/,
      /- stage\.inference\.restrictTeamProfile: is not a known key: did you mean `restrictTeamProfiles`\?/,
      /- stage\.identityProvider\.requiredSessionTag\.values\[0\]: /,
      /- stage\.identityProvider\.allowedSubjects\[0\]: "00u\*" has a wildcard/,
      /- stage\.identityProvider\.existingProviderArn: is in account 999999999999/,
      /- stage\.crossAccount\.roles\[0\]\.principalArnPatterns\[0\]: /,
      /- stage\.region: "us-east-7" is not an AWS Region/,
      /- stage\.quotas\.thresholds: are percentages, not fractions/,
      /- stage\.cicd\.github\.existingOidcProviderArn: is in account 999999999999/,
    );
  });

  it("a Cognito identity pool with the IAM quota block", () => {
    const c = stageOf("prod");
    put(c, "federation.mode", "cognito-identity-pool");
    put(c, "identityProvider.emailSessionTag", undefined);
    expectRefused(
      plan("prod", stringify({ config: { "claude-code-bedrock:stage": c } })),
      /- stage\.quotas\.enforcement\.serverSideBlock: cannot be enforced with federation\.mode: cognito-identity-pool/,
    );
  });
});

describe("component checks the stage config reaches first", () => {
  it.each([
    [
      "a cross-account role that names no caller (the whole source account)",
      "prod",
      (c: RawStage) => put(c, ["crossAccount", "roles", 0, "sourceRoleNames"], []),
      /^stage\.crossAccount\.roles\[0\]\.sourceRoleNames: is required \(or principalArnPatterns\): without either, every principal of the source accounts may assume the role/,
    ],
    [
      "a wildcard client id (the role's audience)",
      "pilot",
      (c: RawStage) => put(c, "identityProvider.clientId", "0oa*"),
      /^stage\.identityProvider\.clientId: "0oa\*" is not valid: expected the OAuth client id registered for the helper, exactly/,
    ],
    [
      "a collector CPU Fargate does not offer",
      "prod",
      (c: RawStage) => put(c, "telemetry.collector.cpu", 1000),
      /^stage\.telemetry\.collector\.cpu: must be one of 256, 512, 1024, 2048, 4096/,
    ],
    [
      "a collector memory that does not fit its CPU",
      "prod",
      (c: RawStage) => put(c, "telemetry.collector.memoryMiB", 1024),
      /^stage\.telemetry\.collector\.memoryMiB: must be 2048–8192 in steps of 1024 for 1024 CPU units/,
    ],
    [
      "a VPC too small for the collector's subnets",
      "prod",
      (c: RawStage) => put(c, "telemetry.network.cidrBlock", "10.81.0.0/26"),
      /^stage\.telemetry\.network\.cidrBlock: "10\.81\.0\.0\/26" is a \/26; use a \/16 to \/22 network/,
    ],
    [
      "a VPC CIDR with host bits",
      "prod",
      (c: RawStage) => put(c, "telemetry.network.cidrBlock", "10.81.0.1/20"),
      /^stage\.telemetry\.network\.cidrBlock: "10\.81\.0\.1\/20" has host bits set/,
    ],
    [
      "an allowed range that is no network",
      "prod",
      (c: RawStage) => put(c, "telemetry.allowedCidrs", ["300.0.0.0/8"]),
      /^stage\.telemetry\.allowedCidrs\[0\]: "300\.0\.0\.0\/8" is not a network CIDR/,
    ],
    [
      "a collector certificate in another account or Region",
      "prod",
      (c: RawStage) =>
        put(c, "telemetry.certificateArn", "arn:aws:acm:eu-west-1:333333333333:certificate/0f9e8d7c-6b5a-4321-9876-abcdef012345"),
      /^stage\.telemetry\.certificateArn: is in account 333333333333, Region eu-west-1, but the collector's load balancer is in account 333333333333, Region us-east-1/,
    ],
    [
      "a secrets key in a Region that does not exist",
      "prod",
      (c: RawStage) => put(c, "cicd.stateBackend.kmsKeyArn", "arn:aws:kms:us-east-9:222222222222:key/1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d"),
      /^stage\.cicd\.stateBackend\.kmsKeyArn: names the Region "us-east-9" is not an AWS Region/,
    ],
    [
      "more tags on a team's profiles than AWS allows",
      "prod",
      (c: RawStage) => put(c, ["teams", 0, "tags"], Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, "v"]))),
      /^stage\.teams\[0\]\.tags: at most 50 tags per resource/,
    ],
  ])("%s", (_label, stage, edit, message) => {
    const problems = problemsOf(stage as "pilot" | "prod", edit);
    expect(
      problems.some((p) => message.test(p)),
      problems.join("\n"),
    ).toBe(true);
  });
});

describe("docs/configuration.md", () => {
  it("is generated from the schema and up to date (regenerate: npx tsx stacks/write-configuration-doc.ts)", () => {
    const committed = readFileSync(path.join(repoRoot, "docs", "configuration.md"), "utf8");
    expect(committed).toBe(renderConfigurationDoc());
    // One row per key the schema declares (maps are headings, not rows).
    const rows = committed.split("\n").filter((l) => l.startsWith("| `stage."));
    expect(rows).toHaveLength(schemaPaths().filter((x) => x.node.kind !== "map").length);
    expect(committed).toContain("| `stage.inference.restrictTeamProfiles` | boolean | `false` | pilot: false; prod: true |");
  });
});
