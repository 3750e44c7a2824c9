/**
 * `doctor` for IAM Identity Center stages: is the SSO session valid, does the permission set exist in the
 * stage's account for this user, does the IAM-authorised `/check` answer, does the token endpoint issue
 * a collector token. The first two are one call: STS `GetCallerIdentity` with the stage's SSO profile
 * succeeds only when the SSO token is valid and IdC hands out credentials for that permission set in that
 * account (it does so only when the set is provisioned there and assigned to the user).
 */
import type { StageSettings } from "@ccb/contracts";
import type { Check } from "./check.js";
import type { Deps } from "./io.js";
import { sdkLookup, type CallerIdentityLookup } from "./idc.js";
import { checkQuotaSigV4, signedGet, type CredentialsSource } from "./quota/sigv4-check.js";
import { parseTokenAnswer } from "./telemetry/idc-token.js";

export async function identityCenterChecks(
  d: Deps,
  s: StageSettings,
  deps: { lookup?: CallerIdentityLookup; credentials?: CredentialsSource } = {},
): Promise<Check[]> {
  if (s.federation.mode !== "identity-center") return [];
  const fed = s.federation;
  const login = `run \`aws sso login --profile ${s.awsProfile}\``;
  let arn: string;
  try {
    arn = (await (deps.lookup ?? sdkLookup)(s.awsProfile, s.region)).arn;
  } catch (e) {
    return [
      {
        name: "SSO session",
        ok: false,
        detail: `no credentials from profile ${s.awsProfile}: ${(e as Error).message}`,
        fix: `${login}; if it still fails, ask for the ${fed.roleName} permission set in account ${fed.accountId}`,
      },
    ];
  }
  const m = /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  const checks: Check[] = [{ name: "SSO session", ok: true, detail: `valid, signed in as ${m?.[3] ?? arn}` }];
  const expected = `AWSReservedSSO_${fed.roleName}_`;
  checks.push(
    m && m[1] === fed.accountId && m[2]!.startsWith(expected)
      ? { name: "permission set", ok: true, detail: `${fed.roleName} is provisioned in account ${fed.accountId} (${m[2]})` }
      : {
          name: "permission set",
          ok: false,
          detail: `the profile gives ${arn}, not the ${fed.roleName} permission set in account ${fed.accountId}`,
          fix: "run `claude-bedrock setup` again (the profile was edited), or ask your administrator for the assignment",
        },
  );
  if (s.quota) {
    try {
      const q = await checkQuotaSigV4(d, s, { ...s.quota, failMode: "closed" }, deps.credentials);
      checks.push({ name: "quota check", ok: true, detail: `${s.quota.checkUrl} answered (signed): ${q.outcome}` });
    } catch (e) {
      const blocked = (e as { code?: string }).code === "ERR_QUOTA_BLOCKED";
      checks.push(
        blocked
          ? { name: "quota check", ok: "warn", detail: `answered (signed): ${(e as Error).message}` }
          : {
              name: "quota check",
              ok: false,
              detail: (e as Error).message,
              fix: "check the network path to the quota API; with a valid SSO session a 403 means the permission set lacks execute-api:Invoke on GET /check",
            },
      );
    }
  }
  if (s.telemetry?.tokenUrl) {
    try {
      const res = await signedGet(d, s, s.telemetry.tokenUrl, 5_000, deps.credentials);
      const token = res.status === 200 ? parseTokenAnswer(await res.json().catch(() => undefined)) : undefined;
      checks.push(
        token
          ? { name: "telemetry token", ok: true, detail: `issued until ${new Date(token.expiresAt).toISOString()}` }
          : {
              name: "telemetry token",
              ok: false,
              detail: `${s.telemetry.tokenUrl} answered HTTP ${res.status} without a token`,
              fix: "403: the user name is not an email or the permission set lacks GET /token; 5xx: see the token function's logs",
            },
      );
    } catch (e) {
      checks.push({
        name: "telemetry token",
        ok: false,
        detail: `${s.telemetry.tokenUrl} could not be reached (${(e as Error).message})`,
        fix: login,
      });
    }
  }
  return checks;
}
