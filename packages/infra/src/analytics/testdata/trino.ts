import { beforeAll } from "vitest";

/** What the tests use of dt-sql-parser's Trino grammar: syntax errors of a text (none when Athena engine 3 would parse it). */
export interface TrinoParser {
  validate(sql: string): unknown[];
}

/**
 * dt-sql-parser's Trino grammar, loaded once per test file in `beforeAll` (its ESM build needs vitest's
 * resolver; the first load is slow). Call the returned function inside tests only.
 */
export function useTrinoParser(): () => TrinoParser {
  let parser: TrinoParser | undefined;
  beforeAll(async () => {
    const { TrinoSQL } = await import("dt-sql-parser");
    parser = new TrinoSQL();
    parser.validate("SELECT 1");
  }, 120_000);
  return () => {
    if (!parser) throw new Error("the Trino grammar is read before beforeAll loaded it");
    return parser;
  };
}
