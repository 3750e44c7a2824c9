/**
 * @ccb/infra: the component library for Claude Code on Amazon Bedrock. Each module is one folder;
 * stacks import from here only. Type tokens are `claude-code-bedrock:<module>:<Component>`.
 */
export * as iam from "./iam";
export * as naming from "./naming";
export * as rules from "./rules";
export * as providers from "./providers";
export * as storage from "./storage";
export * as federation from "./federation";
export * as inference from "./inference";
export * as crossAccount from "./cross-account";
export * as telemetry from "./telemetry";
export * as quotas from "./quotas";
export * as analytics from "./analytics";
export * as distribution from "./distribution";
export * as cicd from "./cicd";
