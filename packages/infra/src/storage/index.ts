/** Storage building blocks with the security defaults every bucket and key here must have. */
export { SecureBucket } from "./secure-bucket";
export type { SecureBucketArgs } from "./secure-bucket";
export { customerKey, KMS_KEY_ADMIN_ACTIONS, KMS_SERVICE_USE_ACTIONS } from "./customer-key";
export type { CustomerKeyArgs } from "./customer-key";
export { isLogRetention, LOG_RETENTION_DAYS } from "./retention";
