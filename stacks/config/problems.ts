import { naming, storage } from "@ccb/infra";

const { ACCOUNT_ID, ROLE_ARN } = naming.patterns;

/**
 * Collects every problem in the stage configuration before anything is created, each naming the key
 * (as written in Pulumi.<stage>.yaml) and how to fix it.
 */
export class ConfigProblems {
  readonly list: string[] = [];
  /** Every key path a reader looked at (list indices as `[]`): tests check these against the schema. */
  readonly read = new Set<string>();
  add(key: string, message: string): void {
    this.list.push(`${key}: ${message}`);
  }
  throwIfAny(stage: string): void {
    if (this.list.length > 0) {
      throw new StageConfigError(stage, this.list);
    }
  }
}

export class StageConfigError extends Error {
  constructor(
    readonly stage: string,
    readonly problems: readonly string[],
  ) {
    super(
      `the configuration of stage "${stage}" is invalid (Pulumi.${stage}.yaml, key claude-code-bedrock:stage):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "StageConfigError";
  }
}

export type Raw = Record<string, unknown>;
export const isObj = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** Small readers that record a problem and return a fallback, so validation continues and reports everything. */
export class Reader {
  constructor(
    readonly p: ConfigProblems,
    readonly raw: Raw,
    readonly path: string,
  ) {}
  key(k: string): string {
    return `${this.path}.${k}`;
  }
  private touch(k: string): void {
    this.p.read.add(this.key(k).replace(/\[\d+\]/g, "[]"));
  }
  child(k: string, required = true): Reader | undefined {
    this.touch(k);
    const v = this.raw[k];
    if (v === undefined && !required) return undefined;
    if (!isObj(v)) {
      this.p.add(this.key(k), "is required and must be a map");
      return undefined;
    }
    return new Reader(this.p, v, this.key(k));
  }
  has(k: string): boolean {
    this.touch(k);
    return this.raw[k] !== undefined;
  }
  str(k: string, opts: { pattern?: RegExp; hint?: string; default?: string } = {}): string {
    this.touch(k);
    const v = this.raw[k];
    if (v === undefined && opts.default !== undefined) return opts.default;
    if (typeof v !== "string" || v.trim() === "") {
      this.p.add(this.key(k), `is required: ${opts.hint ?? "a non-empty string"}`);
      return "";
    }
    if (opts.pattern && !opts.pattern.test(v)) this.p.add(this.key(k), `"${v}" is not valid: expected ${opts.hint ?? opts.pattern.source}`);
    return v;
  }
  optStr(k: string, opts: { pattern?: RegExp; hint?: string } = {}): string | undefined {
    return this.raw[k] === undefined ? undefined : this.str(k, opts);
  }
  num(k: string, opts: { min: number; max: number; default?: number; integer?: boolean }): number {
    this.touch(k);
    const v = this.raw[k] ?? opts.default;
    if (typeof v !== "number" || Number.isNaN(v) || v < opts.min || v > opts.max || ((opts.integer ?? true) && !Number.isInteger(v))) {
      this.p.add(
        this.key(k),
        `must be a ${(opts.integer ?? true) ? "whole " : ""}number from ${opts.min} to ${opts.max} (got ${JSON.stringify(v)})`,
      );
      return opts.default ?? opts.min;
    }
    return v;
  }
  /** A log retention in days that CloudWatch accepts. */
  retention(k: string, def: number): number {
    const days = this.num(k, { min: 1, max: 3653, default: def });
    if (!storage.isLogRetention(days))
      this.p.add(this.key(k), `${days} is not a CloudWatch retention; use one of ${storage.LOG_RETENTION_DAYS.join(", ")}`);
    return days;
  }
  bool(k: string, def: boolean): boolean {
    this.touch(k);
    const v = this.raw[k];
    if (v === undefined) return def;
    if (typeof v !== "boolean") {
      this.p.add(this.key(k), `must be true or false (got ${JSON.stringify(v)})`);
      return def;
    }
    return v;
  }
  oneOf<T extends string>(k: string, values: readonly T[], def?: T): T {
    this.touch(k);
    const v = this.raw[k] ?? def;
    if (typeof v !== "string" || !(values as readonly string[]).includes(v)) {
      this.p.add(this.key(k), `must be one of ${values.join(", ")} (got ${JSON.stringify(v)})`);
      return (def ?? values[0]) as T;
    }
    return v as T;
  }
  strList(k: string, opts: { pattern?: RegExp; hint?: string; min?: number; default?: string[] } = {}): string[] {
    this.touch(k);
    const v = this.raw[k] ?? opts.default;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
      this.p.add(this.key(k), `must be a list of strings${opts.hint ? ` (${opts.hint})` : ""}`);
      return [];
    }
    if (v.length < (opts.min ?? 0)) this.p.add(this.key(k), `needs at least ${opts.min} entr${opts.min === 1 ? "y" : "ies"}`);
    v.forEach((x, i) => {
      if (opts.pattern && !opts.pattern.test(x))
        this.p.add(`${this.key(k)}[${i}]`, `"${x}" is not valid: expected ${opts.hint ?? opts.pattern.source}`);
    });
    return v as string[];
  }
  list(k: string, required = false): Reader[] {
    this.touch(k);
    const v = this.raw[k];
    if (v === undefined && !required) return [];
    if (!Array.isArray(v)) {
      this.p.add(this.key(k), "must be a list");
      return [];
    }
    return v.flatMap((item, i) => {
      if (!isObj(item)) {
        this.p.add(`${this.key(k)}[${i}]`, "must be a map");
        return [];
      }
      return [new Reader(this.p, item, `${this.key(k)}[${i}]`)];
    });
  }
  stringMap(k: string): Record<string, string> {
    this.touch(k);
    const v = this.raw[k];
    if (v === undefined) return {};
    if (!isObj(v) || !Object.values(v).every((x) => typeof x === "string")) {
      this.p.add(this.key(k), "must be a map of strings");
      return {};
    }
    return v as Record<string, string>;
  }
}

export { ACCOUNT_ID };
export const REGION =
  /^(?:us|eu|ap|ca|sa|me|af|il|mx|cn)(?:-gov)?-(?:north|south|east|west|central|northeast|southeast|southwest|northwest)-\d$/;
export { ROLE_ARN };
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
