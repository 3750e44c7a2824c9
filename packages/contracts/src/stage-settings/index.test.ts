import { describe, expect, it } from "vitest";
import { modelsForTeam, parseStageSettings, redirectUri, StageSettingsError, type StageSettings } from "./index";

const valid: StageSettings = {
  schemaVersion: 1,
  stage: "pilot",
  organization: "Example Corp",
  awsProfile: "claude-bedrock-pilot",
  region: "us-east-1",
  identityProvider: {
    issuer: "https://example.okta.com/oauth2/default",
    clientId: "0oa1example",
    scopes: ["openid", "email", "profile", "offline_access"],
    redirectPort: 8400,
    redirectPath: "/callback",
    emailClaim: "email",
  },
  federation: { mode: "direct", roleArn: "arn:aws:iam::111111111111:role/claude-bedrock-users", sessionDurationSeconds: 43200 },
  models: { primary: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", fast: "us.anthropic.claude-haiku-4-5-20251001-v1:0" },
  teams: [
    {
      name: "platform",
      models: {
        primary: "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc123",
        fast: "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/def456",
      },
    },
  ],
  quota: { checkUrl: "https://quota.example.com/check", failMode: "open", timeoutMs: 3000 },
};

/** A fresh copy of the valid settings for a test to break. */
const clone = () => ({ ...structuredClone(valid) });

/**
 * Writes `value` at `path` of a settings copy (`undefined` deletes the key). Tests break one key at a
 * time, often with a value of the wrong type on purpose, so the write goes around the settings type.
 */
function put(draft: object, path: readonly (string | number)[], value: unknown): void {
  let node: unknown = draft;
  for (const key of path.slice(0, -1)) node = typeof node === "object" && node !== null ? Reflect.get(node, key) : undefined;
  if (typeof node !== "object" || node === null) throw new Error(`the settings have no ${path.join(".")}`);
  const last = path[path.length - 1]!;
  if (value === undefined) Reflect.deleteProperty(node, last);
  else Reflect.set(node, last, value);
}

describe("parseStageSettings", () => {
  it("accepts a complete direct-federation stage", () => {
    expect(parseStageSettings(clone())).toEqual(valid);
  });

  it("accepts an optional caBundle PEM path and restrictTeamProfiles, and refuses other shapes", () => {
    const s = { ...clone(), caBundle: "corp-root-ca.pem", restrictTeamProfiles: true };
    expect(parseStageSettings(s)).toEqual(s);
    const problems = (v: unknown) => {
      try {
        parseStageSettings(v);
        return [];
      } catch (e) {
        return (e as StageSettingsError).problems.map((p) => p.path);
      }
    };
    expect(problems({ ...clone(), caBundle: "" })).toEqual(["$.caBundle"]);
    expect(problems({ ...clone(), caBundle: "/etc/ssl/corp.key" })).toEqual(["$.caBundle"]);
    expect(problems({ ...clone(), restrictTeamProfiles: "yes" })).toEqual(["$.restrictTeamProfiles"]);
  });

  it.each([
    ["issuer over http", (s: object) => put(s, ["identityProvider", "issuer"], "http://idp.example.com"), "$.identityProvider.issuer"],
    [
      "issuer that is the discovery URL",
      (s: object) => put(s, ["identityProvider", "issuer"], `${valid.identityProvider!.issuer}/.well-known/openid-configuration`),
      "$.identityProvider.issuer",
    ],
    ["scopes without openid", (s: object) => put(s, ["identityProvider", "scopes"], ["email"]), "$.identityProvider.scopes"],
    ["privileged redirect port", (s: object) => put(s, ["identityProvider", "redirectPort"], 80), "$.identityProvider.redirectPort"],
    [
      "redirect host that is not loopback",
      (s: object) => put(s, ["identityProvider", "redirectHost"], "0.0.0.0"),
      "$.identityProvider.redirectHost",
    ],
    ["redirect host [::1]", (s: object) => put(s, ["identityProvider", "redirectHost"], "[::1]"), "$.identityProvider.redirectHost"],
    [
      "redirect host that is not a string",
      (s: object) => put(s, ["identityProvider", "redirectHost"], 1),
      "$.identityProvider.redirectHost",
    ],
    [
      "role ARN that is a user",
      (s: object) => put(s, ["federation", "roleArn"], "arn:aws:iam::111111111111:user/bob"),
      "$.federation.roleArn",
    ],
    [
      "session longer than 12 h",
      (s: object) => put(s, ["federation", "sessionDurationSeconds"], 43201),
      "$.federation.sessionDurationSeconds",
    ],
    ["unknown federation mode", (s: object) => put(s, ["federation", "mode"], "saml"), "$.federation.mode"],
    ["bad region", (s: object) => put(s, ["region"], "us-east"), "$.region"],
    ["model id with spaces", (s: object) => put(s, ["models", "primary"], "claude sonnet"), "$.models.primary"],
    ["team without models", (s: object) => put(s, ["teams", 0, "models"], undefined), "$.teams[0].models"],
    ["quota fail mode typo", (s: object) => put(s, ["quota", "failMode"], "opened"), "$.quota.failMode"],
    [
      "telemetry events as a string",
      (s: object) => put(s, ["telemetry"], { endpoint: "https://otel.example.com", protocol: "http/protobuf", events: "false" }),
      "$.telemetry.events",
    ],
    [
      "a plain-http telemetry token URL",
      (s: object) =>
        put(s, ["telemetry"], {
          endpoint: "https://otel.example.com",
          protocol: "http/protobuf",
          tokenUrl: "http://abc.execute-api.us-east-1.amazonaws.com/token",
        }),
      "$.telemetry.tokenUrl",
    ],
    ["future schema version", (s: object) => put(s, ["schemaVersion"], 2), "$.schemaVersion"],
  ])("rejects %s and names the key", (_label, mutate, path) => {
    const s = clone();
    mutate(s);
    try {
      parseStageSettings(s);
      expect.fail("expected a StageSettingsError");
    } catch (e) {
      expect(e).toBeInstanceOf(StageSettingsError);
      expect((e as StageSettingsError).problems.map((p) => p.path)).toContain(path);
      expect((e as Error).message).toContain(path);
    }
  });

  it("takes redirectHost absent (127.0.0.1), 127.0.0.1 or localhost, and builds the redirect URI from it", () => {
    expect(parseStageSettings(clone()).identityProvider!.redirectHost).toBeUndefined();
    expect(redirectUri(valid.identityProvider!)).toBe("http://127.0.0.1:8400/callback");
    for (const host of ["127.0.0.1", "localhost"] as const) {
      const s = clone();
      put(s, ["identityProvider", "redirectHost"], host);
      const parsed = parseStageSettings(s);
      expect(parsed.identityProvider!.redirectHost).toBe(host);
      expect(redirectUri(parsed.identityProvider!)).toBe(`http://${host}:8400/callback`);
    }
  });

  it("takes telemetry with or without the events flag (absent: settings built before it existed)", () => {
    for (const telemetry of [
      { endpoint: "https://otel.example.com", protocol: "http/protobuf" },
      { endpoint: "https://otel.example.com", protocol: "http/protobuf", events: true },
      { endpoint: "https://otel.example.com", protocol: "http/protobuf", events: false },
    ]) {
      expect(parseStageSettings({ ...clone(), telemetry }).telemetry).toEqual(telemetry);
    }
  });

  it("reports every problem at once, not just the first", () => {
    const s = clone();
    put(s, ["region"], "nowhere");
    put(s, ["identityProvider", "clientId"], "");
    expect(() => parseStageSettings(s)).toThrowError(
      /\$\.region[\s\S]*\$\.identityProvider\.clientId|\$\.identityProvider\.clientId[\s\S]*\$\.region/,
    );
  });

  it("allows loopback http only when asked (local development and tests)", () => {
    const s = clone();
    put(s, ["identityProvider", "issuer"], "http://127.0.0.1:9000");
    expect(() => parseStageSettings(s)).toThrow(StageSettingsError);
    expect(parseStageSettings(s, { allowLoopbackHttp: true }).identityProvider!.issuer).toBe("http://127.0.0.1:9000");
  });

  it("rejects non-objects with a clear message naming the source", () => {
    expect(() => parseStageSettings("nope", { source: "/tmp/settings.json" })).toThrowError(
      /\/tmp\/settings.json are invalid[\s\S]*must be a JSON object/,
    );
  });
});

describe("modelsForTeam", () => {
  it("uses the team's inference profiles when the team exists", () => {
    expect(modelsForTeam(valid, "platform").primary).toMatch(/application-inference-profile\/abc123$/);
  });
  it("falls back to the stage models for unknown or missing teams", () => {
    expect(modelsForTeam(valid, "unknown")).toBe(valid.models);
    expect(modelsForTeam(valid, undefined)).toBe(valid.models);
  });
});
