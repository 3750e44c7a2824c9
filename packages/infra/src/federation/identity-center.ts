import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, renderPolicy, type Statement } from "../iam";

/**
 * IAM Identity Center (IdC) as the developers' way into the inference account: a permission set with
 * the same model-access policy, developer boundary and session length as the OIDC role, assigned to the
 * groups that may use Claude Code.
 *
 * IdC provisions the permission set as the role `AWSReservedSSO_<permission set>_<16 hex>` in each
 * assigned account and names every session after the signed-in user: the role session name is the IdC
 * user name (`UserName` in the identity store), set by IdC when it calls `AssumeRoleWithSAML` for the
 * portal/CLI. The caller cannot choose it (the portal's `GetRoleCredentials` takes only the account and
 * role name), so `aws:userid` (`<role id>:<user name>`) identifies the user to IAM and a deny keyed on it
 * cannot be escaped by renaming the session. That is why the quota block and the invocation-log metering
 * key IdC stages on the session name, which they must never do for `AssumeRoleWithWebIdentity` roles.
 */
export interface IdentityCenterAccessArgs {
  /** `arn:aws:sso:::instance/ssoins-…` */
  readonly instanceArn: string;
  /** Permission set name (1–32 of `[\w+=,.@-]`); the provisioned role is `AWSReservedSSO_<name>_<hash>`. */
  readonly permissionSetName: string;
  /** Longest session, 1–12 hours (the permission set's `sessionDuration`). */
  readonly sessionDurationHours: number;
  /** Identity store group ids whose members get the permission set. */
  readonly groupIds: readonly string[];
  /** Account the permission set is assigned in (the inference account). */
  readonly accountId: pulumi.Input<string>;
  /** The inline policy: model access, quota check, registry reads: what the OIDC role gets through grants. */
  readonly statements: readonly Statement[];
  /**
   * Name of the customer managed developer boundary in `accountId`. Permission sets reference customer
   * managed policies by name; IdC resolves the name in each assigned account when it provisions.
   */
  readonly boundaryPolicyName: pulumi.Input<string>;
  /** Further customer managed policies by name (the quota block's deny policies). */
  readonly managedPolicyNames?: readonly pulumi.Input<string>[];
  /** Resources the references need to exist before IdC provisions the role (the policies themselves). */
  readonly policyDependencies?: readonly pulumi.Resource[];
  readonly tags?: Record<string, string>;
}

const INSTANCE_ARN = /^arn:aws(?:-[a-z]+)*:sso:::instance\/(?:sso)?ins-[a-zA-Z0-9-.]{16}$/;
const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;
const GROUP_ID = /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;

/** Validates args; returns problems naming the arg. */
export function validateIdentityCenterAccessArgs(args: IdentityCenterAccessArgs): string[] {
  const problems: string[] = [];
  if (!INSTANCE_ARN.test(args.instanceArn))
    problems.push(`\`instanceArn\` "${args.instanceArn}" is not an IAM Identity Center instance ARN (arn:aws:sso:::instance/ssoins-…)`);
  if (!PERMISSION_SET_NAME.test(args.permissionSetName))
    problems.push(`\`permissionSetName\` "${args.permissionSetName}" must be 1–32 of [A-Za-z0-9_+=,.@-]`);
  const h = args.sessionDurationHours;
  if (!Number.isInteger(h) || h < 1 || h > 12) problems.push("`sessionDurationHours` must be a whole number from 1 to 12");
  if (args.groupIds.length === 0)
    problems.push("`groupIds` needs at least one group: without an assignment nobody can use the permission set");
  for (const g of args.groupIds) if (!GROUP_ID.test(g)) problems.push(`\`groupIds\`: "${g}" is not an identity store group id`);
  if (new Set(args.groupIds).size !== args.groupIds.length) problems.push("`groupIds` lists a group twice");
  if (args.statements.length === 0) problems.push("`statements` is empty: the permission set would grant nothing");
  return problems;
}

/** The `aws:PrincipalArn`-style name pattern of the role IdC provisions for a permission set. */
export function reservedRoleNamePrefix(permissionSetName: string): string {
  return `AWSReservedSSO_${permissionSetName}_`;
}

export class IdentityCenterAccess extends pulumi.ComponentResource {
  readonly permissionSetArn: pulumi.Output<string>;
  readonly permissionSetName: string;
  /** Role names IdC provisions start with this (`AWSReservedSSO_<name>_`); the 16-hex suffix is IdC's. */
  readonly roleNamePrefix: string;

  constructor(name: string, args: IdentityCenterAccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:federation:IdentityCenterAccess", name, {}, opts);
    const problems = validateIdentityCenterAccessArgs(args);
    if (problems.length) throw new Error(`IdentityCenterAccess ${name}: ${problems.join("; ")}`);
    const parent = { parent: this };
    const instanceArn = args.instanceArn;

    const set = new aws.ssoadmin.PermissionSet(
      `${name}-permission-set`,
      {
        instanceArn,
        name: args.permissionSetName,
        description: "Claude Code through Amazon Bedrock: model invocation, registry reads and quota checks only",
        sessionDuration: `PT${args.sessionDurationHours}H`,
        ...(args.tags ? { tags: args.tags } : {}),
      },
      parent,
    );
    const permissionSetArn = set.arn;

    const inline = new aws.ssoadmin.PermissionSetInlinePolicy(
      `${name}-inline-policy`,
      {
        instanceArn,
        permissionSetArn,
        inlinePolicy: renderPolicy(policyDocument(...args.statements)),
      },
      parent,
    );
    const dependsOn = [...(args.policyDependencies ?? [])];
    const boundary = new aws.ssoadmin.PermissionsBoundaryAttachment(
      `${name}-boundary`,
      {
        instanceArn,
        permissionSetArn,
        permissionsBoundary: { customerManagedPolicyReference: { name: args.boundaryPolicyName, path: "/" } },
      },
      { ...parent, dependsOn },
    );
    const managed = (args.managedPolicyNames ?? []).map(
      (policyName, i) =>
        new aws.ssoadmin.CustomerManagedPolicyAttachment(
          `${name}-managed-${i}`,
          {
            instanceArn,
            permissionSetArn,
            customerManagedPolicyReference: { name: policyName, path: "/" },
          },
          { ...parent, dependsOn },
        ),
    );
    // Assign only once the policy, boundary and references are in place: the first provisioning must
    // never produce a role without its ceiling.
    for (const groupId of args.groupIds) {
      new aws.ssoadmin.AccountAssignment(
        `${name}-assign-${groupId.slice(-12)}`,
        {
          instanceArn,
          permissionSetArn,
          principalId: groupId,
          principalType: "GROUP",
          targetId: args.accountId,
          targetType: "AWS_ACCOUNT",
        },
        { ...parent, dependsOn: [inline, boundary, ...managed] },
      );
    }

    this.permissionSetArn = permissionSetArn;
    this.permissionSetName = args.permissionSetName;
    this.roleNamePrefix = reservedRoleNamePrefix(args.permissionSetName);
    this.registerOutputs({ permissionSetArn, permissionSetName: this.permissionSetName, roleNamePrefix: this.roleNamePrefix });
  }
}
