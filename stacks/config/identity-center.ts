import { ACCOUNT_ID, REGION, ROLE_ARN, type Reader } from "./problems";
import type { AccountConfig } from "./stage-config";

/**
 * `stage.federation.identityCenter`: developers sign in through IAM Identity Center (IdC) instead of
 * an OIDC app. Read only with `federation.mode: identity-center`.
 */
export interface IdentityCenterConfig {
  /** `arn:aws:sso:::instance/ssoins-…` */
  readonly instanceArn: string;
  /** The identity store of the instance (`d-…`); the token endpoint reads user attributes from it. */
  readonly identityStoreId: string;
  /** The AWS access portal URL the helper's `sso-session` profile signs in at. */
  readonly startUrl: string;
  /** Region of the IdC instance. */
  readonly ssoRegion: string;
  /** Identity store group ids that get the permission set in the inference account. */
  readonly groupIds: readonly string[];
  /** Permission set name; the role IdC provisions is `AWSReservedSSO_<name>_<hash>`. */
  readonly permissionSetName: string;
  /** Account that administers the instance (management or delegated administrator). Default: inference. */
  readonly adminAccount: AccountConfig;
}

export const INSTANCE_ARN = /^arn:aws(?:-[a-z]+)*:sso:::instance\/(?:sso)?ins-[a-zA-Z0-9-.]{16}$/;
const IDENTITY_STORE_ID = /^d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GROUP_ID = /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;

export function parseIdentityCenterConfig(
  r: Reader | undefined,
  stageName: string,
  inferenceAccount: AccountConfig,
): IdentityCenterConfig | undefined {
  if (!r) return undefined;
  const admin = r.child("adminAccount", false);
  let adminAccount = inferenceAccount;
  if (admin) {
    const id = admin.str("id", {
      pattern: ACCOUNT_ID,
      hint: "the 12-digit id of the IdC management or delegated administrator account, quoted",
    });
    const deployRoleArn = admin.optStr("deployRoleArn", { pattern: ROLE_ARN, hint: "an IAM role ARN" });
    if (deployRoleArn && deployRoleArn.split(":")[4] !== id)
      admin.p.add(admin.key("deployRoleArn"), `is in account ${deployRoleArn.split(":")[4]}, not ${id}`);
    adminAccount = { id, ...(deployRoleArn ? { deployRoleArn } : {}) };
  }
  const groupIds = r.strList("groupIds", {
    min: 1,
    pattern: GROUP_ID,
    hint: "identity store group ids (IdC console → Groups → the group → Group ID)",
  });
  groupIds.forEach((g, i) => {
    if (groupIds.indexOf(g) !== i) r.p.add(`${r.key("groupIds")}[${i}]`, `group ${g} is listed twice; remove the duplicate`);
  });
  const startUrl = r.str("startUrl", {
    pattern: /^https:\/\/[^\s/]+(?:\/[^\s]*)?$/,
    hint: "the AWS access portal URL, e.g. https://acme.awsapps.com/start",
  });
  return {
    instanceArn: r.str("instanceArn", {
      pattern: INSTANCE_ARN,
      hint: "the IdC instance ARN (arn:aws:sso:::instance/ssoins-…); aws sso-admin list-instances prints it",
    }),
    identityStoreId: r.str("identityStoreId", {
      pattern: IDENTITY_STORE_ID,
      hint: "the identity store id (d-xxxxxxxxxx); aws sso-admin list-instances prints it",
    }),
    startUrl,
    ssoRegion: r.str("ssoRegion", { pattern: REGION, hint: "the Region of the IdC instance, e.g. us-east-1" }),
    groupIds,
    permissionSetName: r.str("permissionSetName", {
      pattern: /^[\w+=,.@-]{1,32}$/,
      hint: "1–32 of [A-Za-z0-9_+=,.@-]",
      default: `ClaudeCode-${stageName}`.slice(0, 32),
    }),
    adminAccount,
  };
}
