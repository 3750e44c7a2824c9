import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "..");

/** Markdown files a reader follows links through: the README, docs/, and each package's README. */
function markdownFiles(): string[] {
  const out = [path.join(repoRoot, "README.md")];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith(".md")) out.push(full);
    }
  };
  walk(path.join(repoRoot, "docs"));
  for (const pkg of readdirSync(path.join(repoRoot, "packages"))) {
    const readme = path.join(repoRoot, "packages", pkg, "README.md");
    if (existsSync(readme)) out.push(readme);
  }
  return out;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

describe("documentation", () => {
  it("the README stays a front page (at most 6 KB: what, why, two commands, links)", () => {
    expect(statSync(path.join(repoRoot, "README.md")).size).toBeLessThanOrEqual(6 * 1024);
  });

  it("every relative link in the docs points at a file that exists, and at a heading it has", () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^(https?:|mailto:)/.test(target)) continue;
        const [rel, anchor] = target.split("#") as [string, string | undefined];
        const resolved = rel === "" ? file : path.resolve(path.dirname(file), rel);
        const where = `${path.relative(repoRoot, file)} → ${target}`;
        if (!existsSync(resolved)) broken.push(`${where} (no such file)`);
        else if (anchor && resolved.endsWith(".md") && !anchorsIn(resolved).has(anchor)) broken.push(`${where} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
