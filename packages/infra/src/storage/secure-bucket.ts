import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyDocument, renderPolicy, type Statement } from "../iam";

export interface SecureBucketArgs {
  /** KMS key for default encryption; SSE-S3 when omitted (required for some AWS log deliveries). */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Days after which current objects expire. */
  readonly expirationDays: number;
  /** Days after which noncurrent versions expire. @default 30 */
  readonly noncurrentExpirationDays?: number;
  /** Keep object versions (analytics data, audit logs). @default true */
  readonly versioning?: boolean;
  /** Statements added to the bucket policy, given the bucket's ARN (service write access). */
  readonly policyStatements?: (bucketArn: pulumi.Output<string>) => Statement[];
  /** Let `pulumi destroy` delete a non-empty bucket. @default false */
  readonly forceDestroy?: boolean;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * An S3 bucket with the settings every bucket here must have: all public access blocked, owner-enforced
 * object ownership (no ACLs), default encryption (SSE-KMS with a bucket key, or SSE-S3), a TLS-only
 * bucket policy, versioning, and lifecycle expiry so logs and telemetry never grow forever.
 */
export class SecureBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** Resolves after the policy, encryption and public access block exist: hand this to writers. */
  readonly readyArn: pulumi.Output<string>;

  constructor(name: string, args: SecureBucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:storage:SecureBucket", name, {}, opts);
    if (!Number.isInteger(args.expirationDays) || args.expirationDays < 1)
      throw new Error("`expirationDays` must be a whole number of days ≥ 1");
    const parent = { parent: this };
    this.bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false, tags: args.tags }, parent);
    const bucketId = this.bucket.id;
    const pab = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucketId,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    const ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } },
      parent,
    );
    const sse = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucketId,
        rules: [
          args.kmsKeyArn
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ],
      },
      parent,
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      {
        bucket: bucketId,
        versioningConfiguration: { status: args.versioning === false ? "Suspended" : "Enabled" },
      },
      parent,
    );
    const lifecycle = new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucketId,
        rules: [
          {
            id: "expire",
            status: "Enabled",
            filter: {},
            expiration: { days: args.expirationDays },
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentExpirationDays ?? 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );
    const arn = this.bucket.arn;
    const policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucketId,
        policy: renderPolicy(
          policyDocument(denyInsecureTransport("s3", [arn, pulumi.interpolate`${arn}/*`]), ...(args.policyStatements?.(arn) ?? [])),
        ),
      },
      { parent: this, dependsOn: [pab] },
    );
    this.bucketName = this.bucket.bucket;
    this.arn = arn;
    this.readyArn = pulumi.all([arn, policy.id, sse.id, pab.id, ownership.id, lifecycle.id]).apply(([a]) => a);
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}
