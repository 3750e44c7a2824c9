/**
 * Resources as the mock engine (or a policy pack) sees them: type token, logical name, the inputs
 * after Outputs resolved, and the account and Region of the provider that would create them.
 * The security rules and the offline plan work on this shape only.
 */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  readonly inputs: Record<string, any>;
  /** Account the resource is created in (from its provider), when known. */
  readonly account?: string;
  /** Region the resource is created in (resource `region` input, else its provider's). */
  readonly region?: string;
}

/** Parses a JSON policy input that may already be an object. */
export function policyOf(value: unknown): { Statement: any[] } | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const doc = typeof value === "string" ? JSON.parse(value) : value;
  if (!doc || typeof doc !== "object") return undefined;
  const st = (doc as any).Statement;
  return { ...(doc as object), Statement: Array.isArray(st) ? st : st ? [st] : [] } as { Statement: any[] };
}

/** Lists in IAM may be a string or an array. */
export function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
