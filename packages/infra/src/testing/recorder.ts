import { parsePolicy, type PolicyDocumentJson } from "../iam/parse";
import type { Inputs } from "./inputs";

/**
 * Resources as the mock engine (or a policy pack) sees them: type token, logical name, the inputs
 * after Outputs resolved, and the account and Region of the provider that would create them.
 * The security rules and the offline plan work on this shape only.
 */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  /** JSON-like values; read them with the accessors in `inputs.ts` (or `inputsOf`). */
  readonly inputs: Inputs;
  /** Account the resource is created in (from its provider), when known. */
  readonly account?: string;
  /** Region the resource is created in (resource `region` input, else its provider's). */
  readonly region?: string;
}

/** Parses a JSON policy input that may already be an object. */
export function policyOf(value: unknown): PolicyDocumentJson | undefined {
  return parsePolicy(value);
}

export { asList } from "../iam/parse";
