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

/**
 * Key administration for the account's key. Listed one by one: the key policy grants the account
 * root (and so IAM policies in the account) these actions, never `kms:*`.
 */
export const KMS_KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:DeleteAlias", "kms:DescribeKey", "kms:DisableKey",
  "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
  "kms:ListAliases", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RetireGrant",
  "kms:RevokeGrant", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
  "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
] as const;

/** What AWS services need to write encrypted data with the key. */
export const KMS_SERVICE_USE_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"] as const;
