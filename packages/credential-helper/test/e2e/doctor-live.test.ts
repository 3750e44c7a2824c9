/**
 * `doctor --live` against stand-ins: the real IdP (cached token from a browser sign-in), the STS
 * stand-in, a Bedrock runtime stand-in that accepts only SigV4 signatures naming credentials STS issued,
 * the quota API and an OTLP receiver that checks the bearer token. Plus the team claim / session tag check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseEnv, runHelper, seed, tempHome, writeSettings, removeTempHomes } from "./harness/helper.js";
import { startWorld, type World } from "./harness/world.js";

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
  removeTempHomes();
});

const TEAM_PROFILE = "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc123";

async function signedIn(overrides: Record<string, unknown> = {}) {
  const home = tempHome("live");
  const file = writeSettings(
    home,
    w.settings({
      quota: { checkUrl: `${w.sts.endpoint}/check`, failMode: "open", timeoutMs: 5000 },
      telemetry: { endpoint: w.sts.endpoint, protocol: "http/protobuf" },
      ...overrides,
    }),
  );
  const env = baseEnv(home, { AWS_ENDPOINT_URL_STS: w.sts.endpoint, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: w.sts.endpoint });
  expect((await runHelper(["setup", "--settings", file], env)).code).toBe(0);
  const login = await runHelper(["credential-process"], env);
  expect(login.code, login.stderr).toBe(0);
  return { home, env };
}

const lines = (out: string, prefix: string) => out.split("\n").filter((l) => l.includes(prefix));

describe("doctor --live", () => {
  it("proves sign-in, STS, a 1-token Bedrock call to the team's profile, the quota answer and an OTLP export", async () => {
    const { env } = await signedIn();
    const before = { converse: w.sts.converse.length, metrics: w.sts.otlpMetrics.length, quota: w.sts.quotaCalls };
    const r = await runHelper(["doctor", "--live"], env);
    expect(lines(r.stdout, "live:")).toEqual([
      "ok    live: sign-in: signed in as alice@example.com (team platform)",
      expect.stringMatching(
        /^ok {4}live: AWS credentials: arn:aws:sts::111111111111:assumed-role\/claude-bedrock-users\/alice@example\.com until /,
      ),
      `ok    live: Bedrock: ${TEAM_PROFILE} in us-east-1 answered (stop reason max_tokens, 12 input and 1 output tokens)`,
      expect.stringMatching(/^ok {4}live: quota: allowed/),
      `ok    live: telemetry: the collector accepted one metric at ${w.sts.endpoint}/v1/metrics (HTTP 200)`,
    ]);
    const call = w.sts.converse.slice(before.converse);
    expect(call).toHaveLength(1);
    expect(call[0]).toMatchObject({ modelId: TEAM_PROFILE, maxTokens: 1 });
    // Signed with the credentials the live check just got from STS.
    expect(w.sts.issued.at(-1)!.accessKeyId).toBe(call[0]!.accessKeyId);
    expect(w.sts.otlpMetrics.slice(before.metrics)).toEqual(["claude_bedrock.doctor.live"]);
    // One unauthenticated reachability probe (doctor's network checks), one real check with the token.
    expect(w.sts.quotaCalls).toBe(before.quota + 2);
  });

  it("AccessDenied on Bedrock names the model, the Region and the likely causes", async () => {
    const { env } = await signedIn();
    w.sts.deniedModels.add(TEAM_PROFILE);
    try {
      const r = await runHelper(["doctor", "--live"], env);
      expect(r.code).toBe(1);
      const out = r.stdout;
      expect(out).toContain(
        `FAIL  live: Bedrock: Bedrock refused ${TEAM_PROFILE} in us-east-1 (AccessDeniedException: You don't have access to the model with the specified model ID.)`,
      );
      expect(out).toContain(`model access for ${TEAM_PROFILE} is not enabled in the inference account in us-east-1`);
      expect(out).toContain("geography prefix");
      expect(out).toContain("the profile belongs to another team than your session's team tag (platform)");
    } finally {
      w.sts.deniedModels.delete(TEAM_PROFILE);
    }
  });

  it("a refused STS call stops the chain there, with its fix", async () => {
    const { env } = await signedIn();
    w.sts.failWith = { code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity", status: 403 };
    try {
      const r = await runHelper(["doctor", "--live"], env);
      expect(r.code).toBe(1);
      expect(lines(r.stdout, "live:")).toEqual([
        "ok    live: sign-in: signed in as alice@example.com (team platform)",
        expect.stringMatching(/^FAIL {2}live: AWS credentials: AWS STS refused the role \(AccessDenied: Not authorized/),
      ]);
      expect(r.stdout).toContain("[ERR_STS_ACCESS_DENIED]");
    } finally {
      delete w.sts.failWith;
    }
  });
});

describe("doctor: team claim and the team session tag", () => {
  async function withToken(tagTeam: string | undefined, restrict: boolean) {
    const home = tempHome("tag");
    const file = writeSettings(home, w.settings({ restrictTeamProfiles: restrict }));
    const env = baseEnv(home, { AWS_ENDPOINT_URL_STS: w.sts.endpoint });
    expect((await runHelper(["setup", "--settings", file, "--team", "platform"], env)).code).toBe(0);
    const claims = {
      sub: "alice",
      email: "alice@example.com",
      team: "platform",
      ...(tagTeam ? { "https://aws.amazon.com/tags": { principal_tags: { team: [tagTeam] }, transitive_tag_keys: ["team"] } } : {}),
    };
    const idToken = await w.idp.sign(claims);
    seed(home, "id-token.json", {
      idToken,
      expiresAt: Date.now() + 3600_000,
      identity: { sub: "alice", email: "alice@example.com", team: "platform" },
    });
    return (await runHelper(["doctor"], env)).stdout;
  }

  it("ok when they agree", async () => {
    expect(await withToken("platform", true)).toContain("ok    team session tag: the team claim and the AWS session tag agree (platform)");
  });

  it("a mismatch fails in a stage with restrictTeamProfiles, with the fix; elsewhere it warns", async () => {
    const strict = await withToken("payments", true);
    expect(strict).toContain(
      'FAIL  team session tag: Claude Code is set up for team "platform" (team claim) but AWS sees the session tag team="payments"; this stage allows a team\'s profiles only to sessions with that tag, so every Bedrock call would be denied',
    );
    expect(strict).toContain(
      "fix: tell your platform team: the identity provider's team claim and its principal_tags.team session tag must name the same team",
    );
    expect(await withToken("payments", false)).toContain(
      'warn  team session tag: Claude Code is set up for team "platform" (team claim) but AWS sees the session tag team="payments"',
    );
  });
});
