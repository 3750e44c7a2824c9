import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountRootArn, allow, policyDocument, renderPolicy, type AwsEnvironment } from "../iam";
import { physicalName } from "../naming";
import { childOpts, type BuilderScope } from "../scope";
import { customerKey, SecureBucket } from "../storage";
import {
  AUDIT_ASSUME_ACTIONS,
  AUDIT_LIST_ACTIONS,
  AUDIT_READ_ACTIONS,
  KMS_AUDIT_DECRYPT_ACTIONS,
  KMS_SERVICE_ENCRYPT_ACTIONS,
  LOG_OBJECT_DELIVERY_ACTIONS,
} from "./perms";

/** Key prefix of invocation payloads too large for CloudWatch Logs (kept apart from the log records). */
export const LARGE_DATA_PREFIX = "large-data";

export interface InvocationBucketInputs {
  readonly region: string;
  readonly env: AwsEnvironment;
  readonly keyArn: pulumi.Input<string>;
  readonly expirationDays: number;
}

/** A bucket Bedrock delivers to: records under AWSLogs/…, payloads too large for CloudWatch Logs under large-data/AWSLogs/…. */
export function buildInvocationBucket(name: string, scope: BuilderScope, args: InvocationBucketInputs): SecureBucket {
  const { env } = args;
  return new SecureBucket(
    name,
    {
      kmsKeyArn: args.keyArn,
      expirationDays: args.expirationDays,
      policyStatements: (arn) => [
        allow(
          LOG_OBJECT_DELIVERY_ACTIONS,
          [
            pulumi.interpolate`${arn}/AWSLogs/${env.accountId}/BedrockModelInvocationLogs/*`,
            pulumi.interpolate`${arn}/${LARGE_DATA_PREFIX}/AWSLogs/${env.accountId}/BedrockModelInvocationLogs/*`,
          ],
          {
            sid: "BedrockDeliversInvocationLogs",
            principal: { Service: "bedrock.amazonaws.com" },
            conditions: {
              StringEquals: { "aws:SourceAccount": env.accountId },
              ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${env.partition}:bedrock:${args.region}:${env.accountId}:*` },
            },
          },
        ),
      ],
      tags: scope.tags,
    },
    { parent: scope.parent },
  );
}

export interface InvocationAuditInputs extends Omit<InvocationBucketInputs, "keyArn"> {
  readonly namePrefix: string;
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export interface InvocationAudit {
  readonly bucket: SecureBucket;
  readonly keyArn: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
}

/**
 * Where full-text invocation logs go (`invocationLogging.text`): a bucket of their own under a key of
 * their own. The key's policy lets Bedrock encrypt and only the audit role decrypt; the account root
 * administers the key but holds no decrypt, so no IAM policy in the account can grant reading prompts.
 */
export function buildInvocationAudit(scope: BuilderScope, args: InvocationAuditInputs): InvocationAudit {
  const { name, tags } = scope;
  const { env } = args;
  const roleName = physicalName("iamRole", [args.namePrefix, "invocation-audit"]);
  const roleArn = pulumi.interpolate`arn:${env.partition}:iam::${env.accountId}:role/${roleName}`;
  const key = customerKey(scope.parent, `${name}-audit`, env, {
    description: `${args.namePrefix}: full-text model invocation logs (audit only)`,
    alias: `${args.namePrefix}-invocation-audit`,
    dataUseThroughIam: false,
    statements: [
      allow(KMS_SERVICE_ENCRYPT_ACTIONS, ["*"], {
        sid: "BedrockWritesAuditLogs",
        principal: { Service: "bedrock.amazonaws.com" },
        conditions: { StringEquals: { "aws:SourceAccount": env.accountId } },
      }),
      allow(KMS_AUDIT_DECRYPT_ACTIONS, ["*"], { sid: "AuditRoleReads", principal: { AWS: roleArn } }),
    ],
    tags,
  });
  const bucket = buildInvocationBucket(`${name}-invocation-audit`, scope, { ...args, keyArn: key.arn });
  const role = new aws.iam.Role(
    `${name}-invocation-audit`,
    {
      name: roleName,
      description: "Reads full-text model invocation logs (audit); assumed only where the account's administrators allow it",
      assumeRolePolicy: renderPolicy(
        policyDocument(
          allow(AUDIT_ASSUME_ACTIONS, [], { sid: "AccountAssumes", principal: { AWS: accountRootArn(env.partition, env.accountId) } }),
        ),
      ),
      maxSessionDuration: 3600,
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    },
    childOpts(scope),
  );
  new aws.iam.RolePolicy(
    `${name}-invocation-audit-read`,
    {
      role: role.name,
      policy: renderPolicy(
        policyDocument(
          allow(AUDIT_LIST_ACTIONS, [bucket.arn], { sid: "ListAuditLogs" }),
          allow(AUDIT_READ_ACTIONS, [pulumi.interpolate`${bucket.arn}/*`], { sid: "ReadAuditLogs" }),
          allow(KMS_AUDIT_DECRYPT_ACTIONS, [key.arn], { sid: "DecryptAuditLogs" }),
        ),
      ),
    },
    childOpts(scope),
  );
  return { bucket, keyArn: key.arn, roleArn: role.arn };
}
