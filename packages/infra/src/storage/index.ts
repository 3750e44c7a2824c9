/** Storage building blocks with the security defaults every bucket here must have. */
export { SecureBucket } from "./secure-bucket";
export type { SecureBucketArgs } from "./secure-bucket";
