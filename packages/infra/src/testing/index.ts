/** Test and plan harness: Pulumi mocks that record resources, and helpers to read them. */
export { installMocks, ResourceRecorder, settle, unwrap } from "./mocks";
export type { InstallMocksOptions, MockEnvironment, StateOverride } from "./mocks";
export { asList, policyOf } from "./recorder";
export type { RecordedResource } from "./recorder";
export { arr, at, inputsOf, num, obj, str } from "./inputs";
export type { Inputs } from "./inputs";
export { principalsOf, statementBySid, stringsOf } from "../iam/parse";
export type { ConditionValueJson, OneOrMany, PolicyDocumentJson, PrincipalJson, StatementJson } from "../iam/parse";
export { expectedGitHubPublisherTrust, githubAssumeSimulation } from "./github-trust";
export type { GitHubClaims } from "./github-trust";
