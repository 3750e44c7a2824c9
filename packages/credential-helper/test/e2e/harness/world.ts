/** One IdP + STS stand-in + stage settings per test file; a fresh HOME per test. */
import { freePort } from "@ccb/test-support";
import { CLIENT_ID, startIdp, type TestIdp, type TestTls } from "./idp.js";
import { startSts, type StsStandIn } from "./sts.js";

export interface World {
  readonly idp: TestIdp;
  readonly sts: StsStandIn;
  readonly redirectPort: number;
  settings(overrides?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

/** `redirectHost: "localhost"`: the IdP registers only http://localhost (as a Cognito user pool requires). */
/** `tls`: the IdP and the STS stand-in serve https://localhost:<port> with that certificate. */
export async function startWorld(options: { redirectHost?: "localhost"; tls?: TestTls } = {}): Promise<World> {
  const redirectPort = await freePort();
  const idp = await startIdp(
    [`http://${options.redirectHost ?? "127.0.0.1"}:${redirectPort}/callback`],
    options.tls ? { tls: options.tls } : {},
  );
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = idp.privateJwk;
  const sts = await startSts({
    issuer: idp.issuer,
    jwksUri: `${idp.issuer}/jwks`,
    audience: CLIENT_ID,
    ...(options.tls ? { tls: options.tls, jwks: { keys: [publicJwk] } } : {}),
  });
  return {
    idp,
    sts,
    redirectPort,
    settings(overrides = {}) {
      return {
        schemaVersion: 1,
        stage: "e2e",
        organization: "Example Corp",
        awsProfile: "claude-e2e",
        region: "us-east-1",
        identityProvider: {
          issuer: idp.issuer,
          clientId: CLIENT_ID,
          scopes: ["openid", "email", "profile", "offline_access"],
          redirectPort,
          redirectPath: "/callback",
          ...(options.redirectHost ? { redirectHost: options.redirectHost } : {}),
          emailClaim: "email",
          attributeClaims: { department: "department", team: "team", costCenter: "cost_center" },
        },
        federation: { mode: "direct", roleArn: "arn:aws:iam::111111111111:role/claude-bedrock-users", sessionDurationSeconds: 3600 },
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
        telemetry: { endpoint: "https://otel.example.com", protocol: "http/protobuf" },
        ...overrides,
      };
    },
    async close() {
      await sts.close();
      await idp.close();
    },
  };
}
