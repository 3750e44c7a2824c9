/**
 * IAM Identity Center stages: `aws sso login` signs the user in, not this helper. `status` and
 * `otel-headers` still name the user, from the role session: STS `GetCallerIdentity` with the stage's
 * SSO profile (cached for an hour). That profile has no `credential_process`, so resolving it cannot
 * run this helper again; the check below refuses if someone pointed it back at us.
 */
import type { StageSettings } from "@ccb/contracts";
import { StageCache } from "./cache.js";
import type { Deps } from "./io.js";
import { profileHeader, sectionValues } from "./aws-config.js";
import { awsConfigFile, join } from "./paths.js";
import { readJson, readText, writePrivateJson } from "./store.js";
import { sts } from "./lazy.js";

export const ROLE_IDENTITY_TTL_MS = 60 * 60 * 1000;

export interface RoleIdentity {
  readonly arn: string;
  readonly account: string;
  /** The role session name: the Identity Center user name. */
  readonly name: string;
  /** The session name when it looks like an email. */
  readonly email?: string;
  readonly checkedAt: number;
}

export type CallerIdentityLookup = (profile: string, region: string) => Promise<{ arn: string; account: string }>;

/** `arn:aws:sts::123:assumed-role/AWSReservedSSO_X_abc/alice@example.com` → session name and email. */
export function identityFromArn(arn: string): { name: string; email?: string } | undefined {
  const m = /^arn:aws[\w-]*:sts::\d{12}:assumed-role\/[^/]+\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const name = m[1]!;
  return name.includes("@") ? { name, email: name } : { name };
}

const isRole = (v: unknown): v is RoleIdentity =>
  typeof v === "object" && v !== null && typeof (v as RoleIdentity).arn === "string" && typeof (v as RoleIdentity).checkedAt === "number";

export const sdkLookup: CallerIdentityLookup = async (profile, region) => {
  const { STSClient, GetCallerIdentityCommand } = await sts();
  const client = new STSClient({ region, profile, maxAttempts: 2 });
  try {
    const out = await client.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(10_000) });
    return { arn: out.Arn ?? "", account: out.Account ?? "" };
  } finally {
    client.destroy();
  }
};

/** The role session's identity, from the cache or (when older than an hour) from STS; undefined if signed out. */
export async function roleIdentity(d: Deps, s: StageSettings, lookup: CallerIdentityLookup = sdkLookup): Promise<RoleIdentity | undefined> {
  const file = join(d, new StageCache(d, s.stage).dir, "identity.json");
  const cached = await readJson(d, file, isRole);
  if (cached && d.now() - cached.checkedAt < ROLE_IDENTITY_TTL_MS) return cached;
  const config = (await readText(d, awsConfigFile(d)).catch(() => undefined)) ?? "";
  if (sectionValues(config, profileHeader(s.awsProfile)).credential_process) {
    d.log.debug("idc", "profile runs a credential_process; not resolving it from inside the helper");
    return undefined;
  }
  try {
    const { arn, account } = await lookup(s.awsProfile, s.region);
    const who = identityFromArn(arn);
    if (!who) return undefined;
    const identity: RoleIdentity = { arn, account, ...who, checkedAt: d.now() };
    await writePrivateJson(d, file, identity).catch(() => undefined);
    return identity;
  } catch (e) {
    d.log.debug("idc", "GetCallerIdentity failed", { error: (e as Error).name });
    return undefined;
  }
}
