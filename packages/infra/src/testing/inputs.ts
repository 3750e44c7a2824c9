import type * as pulumi from "@pulumi/pulumi";
import type { RecordedResource } from "./recorder";

/**
 * Narrow, checked readers for recorded inputs. The engine hands inputs over as plain JSON-like values
 * (`unknown` here); a rule or test says what it expects and gets `undefined` (or an empty list) when the
 * value is something else, instead of trusting a cast.
 */

/** Resolved resource inputs: property name → JSON-like value. */
export type Inputs = Readonly<Record<string, unknown>>;

const isRecord = (v: unknown): v is Inputs => typeof v === "object" && v !== null && !Array.isArray(v);

/** The value when it is a string. */
export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** The value when it is a finite number. */
export function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** The value when it is a list; otherwise an empty list. */
export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The value when it is an object (not a list); otherwise an empty one, so nested reads need no guards. */
export function obj(v: unknown): Inputs {
  return isRecord(v) ? v : {};
}

/** The value at a path of property names (`at(r.inputs, "configuration", "bytesScannedCutoffPerQuery")`). */
export function at(v: unknown, ...path: readonly string[]): unknown {
  return path.reduce<unknown>((cur, key) => obj(cur)[key], v);
}

/**
 * A resource's inputs as the resolved form of its args type, e.g. `inputsOf<aws.iam.RoleArgs>(r)`. The
 * engine recorded exactly what the program passed for that type, resolved; `type` (the resource's type
 * token) is checked so a test cannot read one resource's inputs with another's type.
 */
export function inputsOf<A extends object>(r: RecordedResource, type?: string): pulumi.Unwrap<A> {
  if (type !== undefined && r.type !== type) throw new Error(`${r.name} is a ${r.type}, not a ${type}`);
  // The one place recorded inputs meet a compile-time type: the args type of the resource that recorded them.
  return r.inputs as pulumi.Unwrap<A>;
}
