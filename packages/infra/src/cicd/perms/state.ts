/** The CI roles' own needs beside the deploy groups: Pulumi state and secrets, role chaining, publishing releases. */
import { BEARER_TOKEN_ACTIONS, PUBLISH_PACKAGE_ACTIONS, READ_REPOSITORY_ACTIONS, TOKEN_ACTIONS } from "../../distribution/perms";

/**
 * Pulumi self-managed backend (S3), project-scoped layout (`.pulumi/meta.yaml` version 1, the default
 * since Pulumi 3.61): one stack's objects. The checkpoint is `<stack>.json` or `<stack>.json.gz`, each
 * copied to `.bak` before it is overwritten; locks are keyed by the fully qualified name
 * `organization/<project>/<stack>` (the DIY backend's fixed organisation). Prefixes end in `/` so that
 * stack `pilot` never matches `pilot2`.
 */
export function stateObjectPaths(
  project: string,
  stack: string,
): { checkpoints: string[]; history: string; backups: string; locks: string } {
  const checkpoint = `.pulumi/stacks/${project}/${stack}.json`;
  return {
    checkpoints: [checkpoint, `${checkpoint}.bak`, `${checkpoint}.gz`, `${checkpoint}.gz.bak`],
    history: `.pulumi/history/${project}/${stack}/*`,
    backups: `.pulumi/backups/${project}/${stack}/*`,
    locks: `.pulumi/locks/organization/${project}/${stack}/*`,
  };
}
/** The backend's layout marker, read on login. */
export const STATE_META_KEY = ".pulumi/meta.yaml";
/** Pulumi self-managed backend (S3): the state objects. */
export const STATE_BUCKET_LIST_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket"] as const;
export const STATE_OBJECT_READ_ACTIONS = ["s3:GetObject"] as const;
export const STATE_OBJECT_WRITE_ACTIONS = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"] as const;
/** A preview takes and releases the stack lock like any operation of the self-managed backend. */
export const STATE_LOCK_ACTIONS = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"] as const;
/** The preview role's key use, only through S3 (`kms:ViaService`): read state objects, encrypt its lock object. */
export const PREVIEW_STATE_DECRYPT_ACTIONS = ["kms:Decrypt"] as const;
export const PREVIEW_LOCK_ENCRYPT_ACTIONS = ["kms:GenerateDataKey"] as const;
/** The one object the program writes itself: the analytics pricing table. */
export const PRICING_TABLE_WRITE_ACTIONS = [
  "s3:DeleteObject",
  "s3:GetObject",
  "s3:GetObjectTagging",
  "s3:PutObject",
  "s3:PutObjectTagging",
] as const;
/** The awskms secrets provider (and the state bucket's SSE-KMS): decrypt to read, data keys to write. */
export const SECRETS_DECRYPT_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"] as const;
export const SECRETS_ENCRYPT_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"] as const;

/** Role chaining into the deploy (or preview) role of the stage's other accounts. */
export const CHAIN_ACTIONS = ["sts:AssumeRole"] as const;

/**
 * Publishing the helper to CodeArtifact (npm package and the executables' generic package): the same
 * actions as the distribution module's publisher (one list, so the two publishers cannot drift apart),
 * plus `DescribePackage`, which only the release role is given. The helper's packages only;
 * `PutPackageOriginConfiguration` lets the publish pin them to `publish=ALLOW, upstream=BLOCK`, so a
 * same-named package on public npm is never served instead.
 */
export const RELEASE_TOKEN_ACTIONS = TOKEN_ACTIONS;
export const RELEASE_BEARER_ACTIONS = BEARER_TOKEN_ACTIONS;
export const RELEASE_REPOSITORY_ACTIONS = READ_REPOSITORY_ACTIONS;
export const RELEASE_PACKAGE_ACTIONS = ["codeartifact:DescribePackage", ...PUBLISH_PACKAGE_ACTIONS] as const;
