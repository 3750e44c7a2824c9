/**
 * IAM policy documents as AWS stores them (rendered JSON), read back for the security rules, the offline
 * plan and tests. Unlike the builder types in `policy.ts`, a rendered document may write any list as a
 * single string (`"Action": "s3:GetObject"`) and its values are resolved: this is what the rules see.
 */

/** IAM accepts a single value wherever it accepts a list. */
export type OneOrMany<T> = T | T[];

/** A condition value as written in JSON (`Bool` conditions are often written as booleans). */
export type ConditionValueJson = OneOrMany<string | number | boolean>;

export interface PrincipalJson {
  AWS?: OneOrMany<string>;
  Service?: OneOrMany<string>;
  Federated?: OneOrMany<string>;
  CanonicalUser?: OneOrMany<string>;
}

export interface StatementJson {
  Sid?: string;
  /** `Allow` or `Deny` in a valid document; kept as written so a rule can report anything else. */
  Effect: string;
  Action?: OneOrMany<string>;
  NotAction?: OneOrMany<string>;
  Resource?: OneOrMany<string>;
  NotResource?: OneOrMany<string>;
  /** `"*"` or a map of principal kinds. */
  Principal?: string | PrincipalJson;
  NotPrincipal?: string | PrincipalJson;
  /** operator → condition key → value(s) */
  Condition?: Record<string, Record<string, ConditionValueJson>>;
}

/** A parsed document: `Statement` is always a list (a lone statement object is wrapped). */
export interface PolicyDocumentJson {
  Version?: string;
  Id?: string;
  Statement: StatementJson[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Lists in IAM may be a string or an array. */
export function asList<T = unknown>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A string list, as IAM reads one: a lone string is a list of one; anything else is rendered as text (and never matches an action). */
export function stringsOf(v: unknown): string[] {
  return asList(v).map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
}

function oneOrMany(v: unknown): OneOrMany<string> | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") return v;
  return stringsOf(v);
}

function principalOf(v: unknown): string | PrincipalJson | undefined {
  if (v === undefined || typeof v === "string") return v;
  if (!isRecord(v)) return JSON.stringify(v);
  const out: PrincipalJson = {};
  for (const key of ["AWS", "Service", "Federated", "CanonicalUser"] as const) {
    const value = oneOrMany(v[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function conditionValue(v: unknown): ConditionValueJson {
  const scalar = (x: unknown) => (typeof x === "string" || typeof x === "number" || typeof x === "boolean" ? x : JSON.stringify(x));
  return Array.isArray(v) ? v.map(scalar) : scalar(v);
}

function conditionsOf(v: unknown): StatementJson["Condition"] {
  if (v === undefined) return undefined;
  const out: Record<string, Record<string, ConditionValueJson>> = {};
  if (!isRecord(v)) return out;
  for (const [op, block] of Object.entries(v)) {
    out[op] = {};
    if (!isRecord(block)) continue;
    for (const [key, value] of Object.entries(block)) out[op][key] = conditionValue(value);
  }
  return out;
}

/** One statement, with every field checked; a field of the wrong kind keeps its text so it is still reported. */
export function parseStatement(v: unknown): StatementJson {
  const s = isRecord(v) ? v : {};
  const out: StatementJson = { Effect: typeof s.Effect === "string" ? s.Effect : String(s.Effect) };
  if (s.Sid !== undefined) out.Sid = String(s.Sid);
  for (const key of ["Action", "NotAction", "Resource", "NotResource"] as const) {
    const value = oneOrMany(s[key]);
    if (value !== undefined) out[key] = value;
  }
  const principal = principalOf(s.Principal);
  if (principal !== undefined) out.Principal = principal;
  const notPrincipal = principalOf(s.NotPrincipal);
  if (notPrincipal !== undefined) out.NotPrincipal = notPrincipal;
  const condition = conditionsOf(s.Condition);
  if (condition !== undefined) out.Condition = condition;
  return out;
}

/**
 * Parses a policy input: a JSON string (as rendered by `renderPolicy`) or an already parsed object.
 * `undefined` when there is no document (not yet known during a preview, or not set).
 */
export function parsePolicy(value: unknown): PolicyDocumentJson | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const doc: unknown = typeof value === "string" ? JSON.parse(value) : value;
  if (!isRecord(doc)) return undefined;
  const out: PolicyDocumentJson = { Statement: asList(doc.Statement ?? undefined).map(parseStatement) };
  if (typeof doc.Version === "string") out.Version = doc.Version;
  if (typeof doc.Id === "string") out.Id = doc.Id;
  return out;
}

/** The principals of one kind a statement names (`"*"` names everyone of every kind). */
export function principalsOf(s: StatementJson, kind: keyof PrincipalJson): string[] {
  if (s.Principal === undefined) return [];
  if (typeof s.Principal === "string") return s.Principal === "*" ? ["*"] : [];
  return stringsOf(s.Principal[kind]);
}

/** The statement with this Sid; a missing one is an error (whoever names a Sid relies on it). */
export function statementBySid(statements: readonly StatementJson[], sid: string): StatementJson {
  const found = statements.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement with Sid ${sid} (have: ${statements.map((s) => s.Sid ?? "(no Sid)").join(", ")})`);
  return found;
}
