import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountRootArn, allow, type AwsEnvironment, policyDocument, renderPolicy, type Statement } from "../iam";

/**
 * Key administration, listed one by one: the key policy grants the account root (and so IAM policies
 * in the account) these actions, never `kms:*`.
 */
export const KMS_KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:CreateGrant",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListAliases",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RetireGrant",
  "kms:RevokeGrant",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
] as const;

/** The data actions among the above (what `dataUseThroughIam: false` withholds from the account root). */
const KMS_DATA_ACTIONS: readonly string[] = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
];

/** What AWS services need to write encrypted data with the key. */
export const KMS_SERVICE_USE_ACTIONS = [
  "kms:Decrypt",
  "kms:DescribeKey",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
] as const;

export interface CustomerKeyArgs {
  readonly description: string;
  /** Alias name without the `alias/` prefix. */
  readonly alias: string;
  /**
   * Log group names (a pattern such as `/aws/claude-code/pilot/*`, or `*` for the account's groups) whose
   * data CloudWatch Logs may encrypt with the key. Omit when no log group uses it.
   */
  readonly logGroups?: pulumi.Input<string>;
  /**
   * Whether IAM policies in the account may grant encryption and decryption with the key (the root
   * statement's data actions). `false` for keys whose readers the key policy names itself (audit data):
   * the account still administers the key, and a policy change shows in CloudTrail. @default true
   */
  readonly dataUseThroughIam?: boolean;
  /** Further statements, e.g. a service that writes with the key. */
  readonly statements?: readonly Statement[];
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A customer managed key with rotation, a 30-day deletion window and an alias, whose policy lets the
 * account administer it through IAM, CloudWatch Logs use it only for the named log groups, and any
 * further service only as the given statements say. Children: `${name}-key`, `${name}-key-alias`.
 */
export function customerKey(owner: pulumi.Resource, name: string, env: AwsEnvironment, args: CustomerKeyArgs): aws.kms.Key {
  const statements: Statement[] = [
    allow(
      args.dataUseThroughIam === false ? KMS_KEY_ADMIN_ACTIONS.filter((a) => !KMS_DATA_ACTIONS.includes(a)) : KMS_KEY_ADMIN_ACTIONS,
      ["*"],
      { sid: "AccountAdministers", principal: { AWS: accountRootArn(env.partition, env.accountId) } },
    ),
  ];
  if (args.logGroups !== undefined) {
    statements.push(
      allow(KMS_SERVICE_USE_ACTIONS, ["*"], {
        sid: "CloudWatchLogsEncrypts",
        principal: { Service: pulumi.interpolate`logs.${env.region}.${env.dnsSuffix}` },
        conditions: {
          ArnLike: {
            "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${env.partition}:logs:${env.region}:${env.accountId}:log-group:${args.logGroups}`,
          },
        },
      }),
    );
  }
  statements.push(...(args.statements ?? []));
  const key = new aws.kms.Key(
    `${name}-key`,
    {
      description: args.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: renderPolicy(policyDocument(...statements)),
      ...(args.tags ? { tags: { ...args.tags } } : {}),
    },
    { parent: owner },
  );
  new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${args.alias}`, targetKeyId: key.keyId }, { parent: owner });
  return key;
}
