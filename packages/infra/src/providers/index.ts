import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID } from "../naming/patterns";

/**
 * Explicit AWS providers, one per account, so one `pulumi up` deploys into several accounts and a
 * resource can never land in the wrong one: each provider refuses any account but its own.
 */
export interface AccountProviderArgs {
  readonly accountId: string;
  readonly region: string;
  /** Role to assume for deploying into the account; omit to use the caller's credentials. */
  readonly deployRoleArn?: string;
  /** Shows in CloudTrail as the deploy session's name. */
  readonly sessionName: string;
  /** Tags every resource of this provider gets. */
  readonly defaultTags: Readonly<Record<string, string>>;
}

export function accountProvider(name: string, args: AccountProviderArgs, opts: pulumi.CustomResourceOptions = {}): aws.Provider {
  if (!ACCOUNT_ID.test(args.accountId)) throw new Error(`provider ${name}: \`accountId\` "${args.accountId}" must be 12 digits`);
  if (args.deployRoleArn && args.deployRoleArn.split(":")[4] !== args.accountId) {
    throw new Error(`provider ${name}: \`deployRoleArn\` ${args.deployRoleArn} is not in account ${args.accountId}`);
  }
  return new aws.Provider(
    name,
    {
      region: args.region as aws.Region,
      allowedAccountIds: [args.accountId],
      ...(args.deployRoleArn ? { assumeRoles: [{ roleArn: args.deployRoleArn, sessionName: args.sessionName.slice(0, 64) }] } : {}),
      defaultTags: { tags: { ...args.defaultTags } },
    },
    opts,
  );
}
