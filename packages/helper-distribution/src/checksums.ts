/**
 * `SHA256SUMS` in the format `sha256sum -c` and `shasum -a 256 -c` read: `<hex>  <file name>`, sorted
 * by file name. Developers verify a download with one command; `verifyChecksums` is the same check.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DistributionError } from "./errors";
import { sha256 } from "./npm-package";

export const CHECKSUMS_FILE = "SHA256SUMS";

export function checksumsText(files: ReadonlyArray<{ name: string; sha256: string }>): string {
  return [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.name}\n`)
    .join("");
}

export function parseChecksums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m)
      throw new DistributionError(
        "ERR_CHECKSUM",
        `${CHECKSUMS_FILE} line ${i + 1} is not "<sha256>  <file>"`,
        "rebuild, or download SHA256SUMS again",
      );
    out.set(m[2]!, m[1]!);
  }
  return out;
}

/** Checks every file listed in `dir/SHA256SUMS`; returns the names checked. Throws on the first mismatch. */
export function verifyChecksums(dir: string): string[] {
  const listed = parseChecksums(readFileSync(path.join(dir, CHECKSUMS_FILE), "utf8"));
  for (const [name, expected] of listed) {
    if (name.includes("/") || name.includes("\\"))
      throw new DistributionError("ERR_CHECKSUM", `${CHECKSUMS_FILE} names a path (${name})`, "only plain file names are allowed");
    let actual: string;
    try {
      actual = sha256(readFileSync(path.join(dir, name)));
    } catch {
      throw new DistributionError(
        "ERR_CHECKSUM",
        `${name} is listed in ${CHECKSUMS_FILE} but missing`,
        "download every file of the release",
      );
    }
    if (actual !== expected)
      throw new DistributionError(
        "ERR_CHECKSUM",
        `${name} has SHA-256 ${actual}, ${CHECKSUMS_FILE} says ${expected}`,
        "do not run it; download it again from the internal registry",
      );
  }
  return [...listed.keys()];
}
