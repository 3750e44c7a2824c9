/** A realistic pilot stage's stack outputs, as `pulumi stack output --json --stack pilot` prints them. */
import { writeFileSync } from "node:fs";
import * as path from "node:path";

export const PILOT_REGISTRY = "https://ccb-pilot-111111111111.d.codeartifact.us-east-1.amazonaws.com/npm/claude-code/";

export function pilotSettings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    stage: "pilot",
    organization: "Example Corp",
    awsProfile: "ClaudeCode",
    region: "us-east-1",
    identityProvider: {
      issuer: "https://example.okta.com/oauth2/default",
      clientId: "0oa1pilotclientid",
      scopes: ["openid", "email", "profile", "offline_access"],
      redirectPort: 8400,
      redirectPath: "/callback",
      emailClaim: "email",
      groupsClaim: "groups",
    },
    federation: { mode: "direct", roleArn: "arn:aws:iam::111111111111:role/ccb-pilot-bedrock-users", sessionDurationSeconds: 28800 },
    models: { primary: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", fast: "us.anthropic.claude-haiku-4-5-20251001-v1:0" },
    teams: [
      {
        name: "platform",
        models: { primary: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", fast: "us.anthropic.claude-haiku-4-5-20251001-v1:0" },
      },
    ],
    distribution: { registryUrl: PILOT_REGISTRY, packageName: "@example/claude-bedrock" },
    ...overrides,
  };
}

/** Writes the outputs file and returns its path. */
export function writePilotOutputs(dir: string, settings: Record<string, unknown> = pilotSettings()): string {
  const file = path.join(dir, "pilot-outputs.json");
  writeFileSync(file, JSON.stringify({ helperSettings: settings, registryEndpoint: PILOT_REGISTRY, otherOutput: 42 }, null, 2));
  return file;
}
