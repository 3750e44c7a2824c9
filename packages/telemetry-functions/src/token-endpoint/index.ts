/** Lambda entry point of the telemetry token endpoint (see handler.ts). */
import { identityStoreDirectory, kmsSigner } from "./aws.js";
import { handleTokenRequest, type HttpResult, type TokenDeps, type TokenEvent } from "./handler.js";

function req(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is required (set by the stack's TokenEndpoint component)`);
  return v;
}

let deps: TokenDeps | undefined;

function load(): TokenDeps {
  const region = req("AWS_REGION");
  return {
    signer: kmsSigner(process.env, req("SIGNING_KEY_ID"), region),
    directory: process.env.IDENTITY_STORE_ID
      ? identityStoreDirectory(process.env, process.env.IDENTITY_STORE_ID, process.env.IDENTITY_STORE_REGION ?? region)
      : { attributesOf: async () => undefined },
    config: {
      issuer: req("ISSUER"),
      audience: req("AUDIENCE"),
      ttlSeconds: Number(process.env.TOKEN_TTL_SECONDS ?? 3600),
      ...(process.env.IDC_ROLE_PREFIX ? { identityCenterRolePrefix: process.env.IDC_ROLE_PREFIX } : {}),
      workloadRoleNames: (process.env.WORKLOAD_ROLE_NAMES ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      accountId: req("ACCOUNT_ID"),
      claimNames: {
        ...(process.env.CLAIM_DEPARTMENT ? { department: process.env.CLAIM_DEPARTMENT } : {}),
        ...(process.env.CLAIM_TEAM ? { team: process.env.CLAIM_TEAM } : {}),
        ...(process.env.CLAIM_COST_CENTER ? { costCenter: process.env.CLAIM_COST_CENTER } : {}),
      },
    },
    now: Date.now,
    log: (level, message, fields) => console[level](JSON.stringify({ level, message, ...fields })),
  };
}

export async function handler(event: TokenEvent): Promise<HttpResult> {
  deps ??= load();
  return handleTokenRequest(event, deps);
}
