/**
 * IAM actions of the inference module.
 *
 * Converse and ConverseStream are authorised by InvokeModel and InvokeModelWithResponseStream, so
 * these two cover every runtime call Claude Code makes. Nothing else is granted to users: no
 * model management, no marketplace subscriptions (the platform team enables models once), no
 * `bedrock:CallWithBearerToken` (API keys would bypass the helper and its attribution).
 */
export const MODEL_INVOKE_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"] as const;

/** Lets Claude Code resolve an application inference profile to its model (saves a retry per model). */
export const PROFILE_READ_ACTIONS = ["bedrock:GetInferenceProfile"] as const;

/** List calls take no resource; Claude Code uses it to pick an existing cross-Region profile. */
export const PROFILE_LIST_ACTIONS = ["bedrock:ListInferenceProfiles"] as const;

/** Bedrock API keys: denied for federated users when the stage says so. */
export const BEARER_TOKEN_ACTIONS = ["bedrock:CallWithBearerToken"] as const;

/** What Bedrock needs to write invocation logs to CloudWatch Logs. */
export const LOG_DELIVERY_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;

/** Key actions live with the key builder (storage/customer-key.ts). */
export { KMS_KEY_ADMIN_ACTIONS, KMS_SERVICE_USE_ACTIONS } from "../storage/customer-key";

/** Bedrock log delivery uses the inference key (encrypted logs); the alarm topic's statement is in ../alarm-topic. */
export const KMS_SERVICE_ENCRYPT_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

/** Bedrock delivers invocation log objects to the stage's bucket. */
export const LOG_OBJECT_DELIVERY_ACTIONS = ["s3:PutObject"] as const;

/** The invocation audit role (text logging on): read the audit bucket's objects and list its keys. */
export const AUDIT_READ_ACTIONS = ["s3:GetObject"] as const;
export const AUDIT_LIST_ACTIONS = ["s3:ListBucket"] as const;
/** The audit key: only the audit role decrypts; the account administers it but cannot delegate decryption through IAM. */
export const KMS_AUDIT_DECRYPT_ACTIONS = ["kms:Decrypt"] as const;
/** The audit role is assumed from within the account by whoever its administrators allow. */
export const AUDIT_ASSUME_ACTIONS = ["sts:AssumeRole"] as const;
