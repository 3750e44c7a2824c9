/** The README's exit-code table is the user's reference: it must say exactly what the code does. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "./errors.js";
import { EXIT_CODES } from "./main.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

function exitCodeTable(): Array<[string, number]> {
  const section = readme.slice(readme.indexOf("## Exit codes"));
  const body = section.slice(0, section.indexOf("\n## ", 1) > 0 ? section.indexOf("\n## ", 1) : undefined);
  return [...body.matchAll(/^\| (\d+) \| `(ERR_[A-Z_]+)` \| .+ \|$/gm)].map((m) => [m[2]!, Number(m[1])]);
}

describe("README exit codes", () => {
  it("lists every error code once, with the exit code main.ts returns, in exit-code order", () => {
    const rows = exitCodeTable();
    const expected = [...ERROR_CODES].map((c) => [c, EXIT_CODES[c]] as [string, number]).sort((a, b) => a[1] - b[1]);
    expect(rows).toEqual(expected);
  });

  it("has no table cell longer than a line or two", () => {
    const cells = readme
      .split("\n")
      .filter((l) => l.startsWith("|"))
      .flatMap((l) => l.split(" | "));
    expect(cells.filter((c) => c.length > 160)).toEqual([]);
  });
});
