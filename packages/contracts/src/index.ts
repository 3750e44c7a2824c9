/**
 * The contracts between a deployed stage and the code that runs against it. Infrastructure renders
 * them, the Lambda functions and the credential helper read them; both sides import this package so
 * the two cannot drift. Pure TypeScript, no dependencies: it is bundled into Lambda assets and the
 * helper. Names carry their area (`QUOTA_…`, `TELEMETRY_…`) so one flat entry point stays unambiguous.
 */
export * from "./env";
export * from "./stage-settings";
export * from "./identity";
export * from "./pricing";
export * from "./quotas";
export * from "./telemetry";
