import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, arn, policyDocument, renderPolicy, roleArn, type AwsEnvironment, type Statement } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import type { GitHubDeployRolesArgs } from "./args";
import {
  CHAIN_ACTIONS,
  PREVIEW_LOCK_ENCRYPT_ACTIONS,
  PREVIEW_STATE_DECRYPT_ACTIONS,
  SECRETS_DECRYPT_ACTIONS,
  SECRETS_ENCRYPT_ACTIONS,
  STATE_BUCKET_LIST_ACTIONS,
  STATE_LOCK_ACTIONS,
  STATE_META_KEY,
  STATE_OBJECT_READ_ACTIONS,
  STATE_OBJECT_WRITE_ACTIONS,
  stateObjectPaths,
} from "./perms";
import { ciRoleNames, MAX_CI_SESSION_SECONDS } from "./validate";

export type CiRoleKind = "deploy" | "preview" | "release";

/** A named policy of a CI role: a managed policy `<role>-<key>` or an inline one of the same name. */
export interface RolePolicy {
  readonly key: string;
  readonly statements: Statement[];
}

/** What every role builder (deploy, preview, release) reads. */
export interface RoleBuilderArgs {
  readonly roles: GitHubDeployRolesArgs;
  readonly env: AwsEnvironment;
  readonly trust: Statement[];
  readonly guardrailsArn: pulumi.Output<string>;
}

export interface CiRoleArgs extends RoleBuilderArgs {
  readonly kind: CiRoleKind;
  readonly description: string;
  readonly managed: readonly RolePolicy[];
  readonly inline: readonly RolePolicy[];
}

/**
 * A CI role with its managed policies, inline policies, and the exclusive attachment lists that keep
 * hand-made additions out (a policy attached by hand is detached on the next deploy).
 */
export function ciRole(scope: BuilderScope, a: CiRoleArgs): aws.iam.Role {
  const args = a.roles;
  const roleName = ciRoleNames(args.namePrefix)[a.kind];
  const opts = childOpts(scope);
  const role = new aws.iam.Role(
    `${scope.name}-${a.kind}`,
    {
      name: roleName,
      description: a.description,
      assumeRolePolicy: renderPolicy(policyDocument(...a.trust)),
      maxSessionDuration: args.maxSessionSeconds ?? MAX_CI_SESSION_SECONDS,
      ...(args.permissionsBoundaryArn !== undefined ? { permissionsBoundary: args.permissionsBoundaryArn } : {}),
      tags: { ...scope.tags, "ci-role": a.kind },
    },
    opts,
  );
  const arns: pulumi.Output<string>[] = [a.guardrailsArn];
  for (const m of a.managed) {
    const policy = new aws.iam.Policy(
      `${scope.name}-${a.kind}-${m.key}`,
      { name: `${roleName}-${m.key}`, policy: renderPolicy(policyDocument(...m.statements)), tags: scope.tags },
      opts,
    );
    arns.push(policy.arn);
  }
  arns.forEach((policyArn, i) => {
    new aws.iam.RolePolicyAttachment(
      `${scope.name}-${a.kind}-attach-${i === 0 ? "guardrails" : a.managed[i - 1]!.key}`,
      { role: role.name, policyArn },
      opts,
    );
  });
  new aws.iam.RolePolicyAttachmentsExclusive(`${scope.name}-${a.kind}-attachments`, { roleName: role.name, policyArns: arns }, opts);
  const inlineNames: string[] = [];
  for (const p of a.inline) {
    const policyName = `${roleName}-${p.key}`;
    inlineNames.push(policyName);
    new aws.iam.RolePolicy(
      `${scope.name}-${a.kind}-${p.key}`,
      { role: role.name, name: policyName, policy: renderPolicy(policyDocument(...p.statements)) },
      opts,
    );
  }
  new aws.iam.RolePoliciesExclusive(`${scope.name}-${a.kind}-inline`, { roleName: role.name, policyNames: inlineNames }, opts);
  return role;
}

/** Role chaining into the same-kind role of the stage's other accounts (and, in the entry account, itself). */
export function chainPolicies(env: AwsEnvironment, args: GitHubDeployRolesArgs, kind: "deploy" | "preview"): RolePolicy[] {
  const names = ciRoleNames(args.namePrefix);
  const targets = [
    ...(args.chainTo ?? []).filter((a) => a !== args.accountId).map((a) => roleArn(env.partition, a, names[kind])),
    ...(args.github ? [roleArn(env.partition, args.accountId, names[kind])] : []),
  ];
  return targets.length ? [{ key: "chain", statements: [allow([...CHAIN_ACTIONS], targets, { sid: "ChainToStageAccounts" })] }] : [];
}

/** Access to this stack's objects in Pulumi's self-managed backend, and to its secrets key, per role kind. */
export function statePolicies(env: AwsEnvironment, args: GitHubDeployRolesArgs, kind: CiRoleKind): RolePolicy[] {
  const b = args.stateBackend;
  if (!b) return [];
  const write = kind === "deploy";
  const bucket = arn(env.partition, "s3", "", "", b.bucketName);
  const paths = stateObjectPaths(b.project, b.stack);
  const at = (keys: readonly string[]) => keys.map((k) => pulumi.interpolate`${bucket}/${k}`);
  // Listing stays bucket-wide (key names only, never contents): S3 answers a read of a missing key
  // with 404 only to callers allowed ListBucket, else 403, and Pulumi probes `<stack>.json.gz` and
  // the lock directory on every operation; an `s3:prefix` condition is not evaluated on those probes.
  const statements: Statement[] = [allow([...STATE_BUCKET_LIST_ACTIONS], [bucket], { sid: "StateBucket" })];
  statements.push(allow([...STATE_OBJECT_READ_ACTIONS], at([STATE_META_KEY]), { sid: "StateBackendMeta" }));
  if (write)
    statements.push(
      allow([...STATE_OBJECT_WRITE_ACTIONS], at([...paths.checkpoints, paths.history, paths.backups, paths.locks]), {
        sid: "StateObjects",
      }),
    );
  else {
    statements.push(allow([...STATE_OBJECT_READ_ACTIONS], at(paths.checkpoints), { sid: "StateObjects" }));
    // A preview takes the stack lock like any operation of the self-managed backend (and reads a
    // lock another run holds, to name its holder).
    statements.push(allow([...STATE_LOCK_ACTIONS], at([paths.locks]), { sid: "StateLocks" }));
  }
  if (b.kmsKeyArn) {
    if (kind === "preview") {
      // Pull requests run code under review, so the preview role never decrypts with the key directly:
      // that is how Pulumi unwraps the stack's data key, and with it every stack secret. It may decrypt
      // only what S3 decrypts for it: the state bucket's SSE-KMS objects, and S3 does that only for the
      // objects the role may read (this stack's, above). The lock object it writes is encrypted the same
      // way, through S3. (docs/ci-cd.md, "Previews")
      const s3 = `s3.${b.kmsKeyArn.split(":")[3]}.amazonaws.com`;
      statements.push(
        allow([...PREVIEW_STATE_DECRYPT_ACTIONS], [b.kmsKeyArn], {
          sid: "StateObjectsThroughS3",
          conditions: { StringEquals: { "kms:ViaService": s3 } },
        }),
      );
      statements.push(
        allow([...PREVIEW_LOCK_ENCRYPT_ACTIONS], [b.kmsKeyArn], {
          sid: "StateLockEncryption",
          conditions: { StringEquals: { "kms:ViaService": s3 } },
        }),
      );
    } else {
      // Deploys encrypt secrets; a release reads the stack outputs (Pulumi unwraps the data key to load the stack).
      statements.push(allow(write ? [...SECRETS_ENCRYPT_ACTIONS] : [...SECRETS_DECRYPT_ACTIONS], [b.kmsKeyArn], { sid: "Secrets" }));
    }
  }
  return [{ key: "state", statements }];
}
