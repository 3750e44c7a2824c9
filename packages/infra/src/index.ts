/**
 * @ccb/infra: the component library for Claude Code on Amazon Bedrock. Each module is one folder;
 * stacks import from here only.
 */
export * as iam from "./iam";
export * as naming from "./naming";
export * as rules from "./rules";
