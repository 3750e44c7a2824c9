import { createHash } from "node:crypto";
export * as patterns from "./patterns";

/**
 * Physical names for resources whose names AWS requires or that users see (Glue databases, Athena
 * workgroups, IAM roles referenced by other accounts, inference profiles). Everything else uses
 * Pulumi autonaming. Names are deterministic: the same inputs always give the same name, and a name
 * that must be shortened keeps a hash of the full name so two long names never collide.
 */

export interface NameRule {
  readonly maxLength: number;
  /** Characters allowed; everything else becomes `separator`. */
  readonly allowed: RegExp;
  readonly separator: "-" | "_";
  readonly lowerCase: boolean;
  /** Must start with a letter. */
  readonly startsWithLetter: boolean;
}

/** Limits as the services document them. */
export const NAME_RULES = {
  /** IAM role names: 64 chars of [\w+=,.@-]. */
  iamRole: { maxLength: 64, allowed: /[A-Za-z0-9+=,.@_-]/, separator: "-", lowerCase: false, startsWithLetter: false },
  /** Glue databases and tables: lower case, 255 chars; Athena needs [a-z0-9_]. */
  glue: { maxLength: 255, allowed: /[a-z0-9_]/, separator: "_", lowerCase: true, startsWithLetter: true },
  /** Athena workgroups: 128 chars of [a-zA-Z0-9._-]. */
  athenaWorkgroup: { maxLength: 128, allowed: /[a-zA-Z0-9._-]/, separator: "-", lowerCase: false, startsWithLetter: false },
  /** S3 bucket names: 3–63 lower-case letters, digits, dashes (dots avoided: they break TLS). */
  s3Bucket: { maxLength: 63, allowed: /[a-z0-9-]/, separator: "-", lowerCase: true, startsWithLetter: true },
  /** Bedrock inference profile names: 64 chars of [0-9a-zA-Z_ -] (spaces and dashes allowed). */
  inferenceProfile: { maxLength: 64, allowed: /[0-9a-zA-Z_-]/, separator: "-", lowerCase: false, startsWithLetter: true },
  /** CodeArtifact domains: 2–50 lower-case letters, digits, dashes. */
  codeArtifactDomain: { maxLength: 50, allowed: /[a-z0-9-]/, separator: "-", lowerCase: true, startsWithLetter: true },
  /** CodeArtifact repositories: 2–100 of [A-Za-z0-9._-]. */
  codeArtifactRepository: { maxLength: 100, allowed: /[A-Za-z0-9._-]/, separator: "-", lowerCase: false, startsWithLetter: true },
  /** Lambda function names, DynamoDB tables (3–255), SNS topics: 64 of [A-Za-z0-9_-]. */
  lambda: { maxLength: 64, allowed: /[A-Za-z0-9_-]/, separator: "-", lowerCase: false, startsWithLetter: true },
  /** Firehose streams: 64 of [a-zA-Z0-9_.-]. */
  firehose: { maxLength: 64, allowed: /[a-zA-Z0-9_.-]/, separator: "-", lowerCase: false, startsWithLetter: true },
  /** CloudWatch log groups: 512 of [A-Za-z0-9_-/.#] (paths like `/ccb-prod/claude-code/metrics`). */
  logGroup: { maxLength: 512, allowed: /[A-Za-z0-9_\-/.#]/, separator: "-", lowerCase: false, startsWithLetter: false },
  /** CloudWatch alarm names: 255 characters; kept to [A-Za-z0-9_.-] so an ARN built from the name is exact. */
  alarm: { maxLength: 255, allowed: /[A-Za-z0-9_.-]/, separator: "-", lowerCase: false, startsWithLetter: true },
  /** CloudWatch dashboards: 255 of [A-Za-z0-9_-]. */
  dashboard: { maxLength: 255, allowed: /[A-Za-z0-9_-]/, separator: "-", lowerCase: false, startsWithLetter: true },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

/** First 8 hex digits of SHA-256: short, stable identity for list-derived children. */
export function hash8(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 8);
}

/**
 * Builds a physical name from parts (`["ccb", "pilot", "analytics"]`) within the kind's limits.
 * Throws when nothing usable remains.
 */
export function physicalName(kind: NameKind, parts: readonly string[]): string {
  const rule: NameRule = NAME_RULES[kind];
  const raw = parts.filter((p) => p.length > 0).join(rule.separator);
  let name = [...(rule.lowerCase ? raw.toLowerCase() : raw)].map((ch) => (rule.allowed.test(ch) ? ch : rule.separator)).join("");
  const sep = rule.separator;
  name = name.replace(new RegExp(`\\${sep}{2,}`, "g"), sep).replace(new RegExp(`^\\${sep}+|\\${sep}+$`, "g"), "");
  if (rule.startsWithLetter) name = name.replace(/^[^A-Za-z]+/, "");
  if (name.length === 0) throw new Error(`cannot build a ${kind} name from ${JSON.stringify(parts)}: no allowed characters remain`);
  if (name.length > rule.maxLength) {
    const suffix = `${sep}${hash8(raw)}`;
    name = name.slice(0, rule.maxLength - suffix.length).replace(new RegExp(`\\${sep}+$`), "") + suffix;
  }
  return name;
}

/** Logical child name: `${parent}-${role}`. Roles are lower-case words joined by dashes. */
export function childName(parent: string, role: string): string {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(role)) throw new Error(`child role "${role}" must be lower-case words joined by dashes`);
  return `${parent}-${role}`;
}

/** AWS tag keys and values: 128 / 256 chars of letters, digits, spaces and `_.:/=+-@`. */
export const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** Returns problems with a tag set; empty when valid. `aws:` is reserved. */
export function validateTags(tags: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(tags)) {
    if (!TAG_KEY.test(k)) problems.push(`tag key "${k}" must be 1–128 letters, digits, spaces or _.:/=+-@`);
    if (k.toLowerCase().startsWith("aws:")) problems.push(`tag key "${k}" uses the reserved prefix aws:`);
    if (!TAG_VALUE.test(v)) problems.push(`tag value "${v}" of "${k}" must be at most 256 letters, digits, spaces or _.:/=+-@`);
  }
  if (Object.keys(tags).length > 50) problems.push("at most 50 tags per resource");
  return problems;
}
