/**
 * The smallest useful composition: federation for one IdP, the inference account, and model access
 * for the federated role. Type-checked with the package (`npm run typecheck -w packages/infra`).
 */
import { federation, inference } from "@ccb/infra";

export function minimalStage() {
  const issuer = federation.normalizeIssuer("https://example.okta.com/oauth2/default", "okta");
  const fed = new federation.OidcFederation("demo-federation", {
    issuer,
    clientIds: ["0oa1democlient"],
    allowedSubjects: ["00u1alice", "00u1bob"],
    maxSessionHours: 8,
  });
  const account = new inference.InferenceAccount("demo-inference", {
    namePrefix: "demo",
    region: "us-east-1",
    models: { primary: "anthropic.claude-sonnet-4-5-20250929-v1:0", fast: "anthropic.claude-haiku-4-5-20251001-v1:0" },
    crossRegion: "us",
    teams: [{ name: "platform", costCenter: "CC-1001" }],
    invocationLogging: { enabled: true, logRetentionDays: 30, s3ExpirationDays: 90 },
    alarms: {
      emails: [],
      throttlesPer5Min: 5,
      serverErrorsPer5Min: 5,
      clientErrorsPer5Min: 25,
      latencyP90Ms: 60000,
      invocationsPerHour: 5000,
    },
    denyBedrockApiKeys: true,
  });
  account.grants.invokeModels({ roleName: fed.roleName!, key: "developers" });
  return { roleArn: fed.roleArn, teamProfiles: account.teamProfiles };
}
