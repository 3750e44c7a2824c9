import type * as pulumi from "@pulumi/pulumi";
import type { FunctionCode } from "../../quotas";

export interface TokenEndpointArgs {
  readonly namePrefix: string;
  readonly code: FunctionCode;
  /** `aud` of the tokens; the ALB and the collector accept this audience from this issuer. */
  readonly audience: string;
  /** Token lifetime, 300–3600 s. @default 3600 */
  readonly ttlSeconds?: number;
  /** `AWSReservedSSO_<permission set>_`: IdC sessions of the stage's permission set get tokens keyed on their user name. */
  readonly identityCenterRolePrefix?: string;
  /**
   * The IdC identity store to read user attributes from. Only when this account administers the IdC
   * instance (its management or delegated administrator account): the identity store API answers nowhere else.
   */
  readonly identityStore?: { readonly id: string; readonly region: string; readonly accountId: string };
  /** Role names in this account (cross-account workload roles) that may get a token keyed on the role. */
  readonly workloadRoleNames?: readonly string[];
  /** Claim names of the attributes, as the collector reads them (the corporate IdP's attribute claims). */
  readonly claimNames?: { readonly department?: string; readonly team?: string; readonly costCenter?: string };
  /** Key for the log groups (the account's customer managed key). */
  readonly logKmsKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  readonly tags?: Record<string, string>;
  /** Permissions boundary of every role this component creates (the stage's workload boundary). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export function validateTokenEndpointArgs(a: TokenEndpointArgs): string[] {
  const p: string[] = [];
  const ttl = a.ttlSeconds ?? 3600;
  if (!Number.isInteger(ttl) || ttl < 300 || ttl > 3600) p.push("`ttlSeconds` must be 300–3600: collector tokens live at most an hour");
  if (!a.identityCenterRolePrefix && !(a.workloadRoleNames ?? []).length)
    p.push("name who may get tokens: `identityCenterRolePrefix` and/or `workloadRoleNames`");
  if (a.identityCenterRolePrefix && !/^AWSReservedSSO_[\w+=,.@-]{1,32}_$/.test(a.identityCenterRolePrefix))
    p.push("`identityCenterRolePrefix` must be AWSReservedSSO_<permission set>_");
  if (!/^[\w.:/-]{1,128}$/.test(a.audience)) p.push("`audience` must be 1–128 of [A-Za-z0-9_.:/-]");
  return p;
}
