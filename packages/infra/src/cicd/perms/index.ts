/**
 * IAM actions of the cicd module: what the GitHub deploy role may do, service by service.
 *
 * A Pulumi deploy creates, reads (on refresh), updates and deletes every resource the program
 * manages, so the deploy role needs broad *create* rights. What it does not get: `*` or
 * `service:*`, data-plane reads (no `s3:GetObject` on log buckets, no `dynamodb:GetItem`, no
 * `logs:GetLogEvents`, no `bedrock:InvokeModel`), IAM users or access keys, Organizations or
 * account settings. Each list is what the AWS provider calls for the resource types this program
 * declares (create, read on refresh, update, tag, delete). A module that adds a resource type adds
 * its actions here; the stack test `stacks/cicd.test.ts` fails when a recorded resource's service
 * has no group.
 */
export type { PermissionGroup } from "./common";
export * from "./identity";
export * from "./observability";
export * from "./compute";
export * from "./network";
export * from "./data";
export * from "./groups";
export * from "./state";
export * from "./guardrails";
export * from "./identity-center";
