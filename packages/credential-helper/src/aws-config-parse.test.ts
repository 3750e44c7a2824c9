import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { awsConfigProblem } from "./aws-config.js";

/** Files the AWS CLI reads, and files it refuses, with the line it trips on. */
const ACCEPTED: Record<string, string> = {
  "comments, colon, inline text, indented header":
    "# c\n; c\n\n[default] # c\nregion: us-east-1\n   # indented comment\n[profile x]\nregion=us-east-1 ; inline\n",
  "indented header": "  [default]\nregion=us-east-1\n",
  "indented key": "[default]\n  region=us-east-1\n",
  "continuation line": "[default]\nregion=us-east-1\n  continued line\n",
  "continuation after a blank line": "[default]\nregion=us-east-1\n\n  x=1\n",
  "nested settings": "[default]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n",
  "DEFAULT twice": "[DEFAULT]\nregion=us-east-1\n[DEFAULT]\noutput=json\n",
  "CRLF line endings": "[default]\r\nregion = us-east-1\r\n",
  empty: "",
};
const REJECTED: Record<string, [string, number]> = {
  "a key before any section": ["region = us-east-1\n[default]\nregion=us-east-1\n", 1],
  "a line that is not a key": ["[default]\nregion=us-east-1\nthis is not a key\n", 3],
  "a section twice": ["[default]\nregion=us-east-1\n[default]\noutput=json\n", 3],
  "a key twice (keys ignore case)": ["[default]\nregion=us-east-1\nREGION=us-west-2\n", 3],
  "a value without a key": ["[default]\n= value\n", 2],
  "an empty header": ["[]\nregion=us-east-1\n", 1],
  "an unclosed header": ["[default\nregion=us-east-1\n", 1],
  "a nested line without =": ["[default]\ns3 =\n  max_concurrent_requests 20\n", 2],
  "a merge conflict left in the file": ["[default]\nregion=us-east-1\n<<<<<<< HEAD\n", 3],
};

describe("awsConfigProblem (botocore's configparser rules)", () => {
  for (const [name, text] of Object.entries(ACCEPTED)) {
    it(`accepts ${name}`, () => expect(awsConfigProblem(text)).toBeUndefined());
  }
  for (const [name, [text, line]] of Object.entries(REJECTED)) {
    it(`refuses ${name} (line ${line})`, () => expect(awsConfigProblem(text)?.line).toBe(line));
  }
});

/** The AWS CLI this machine has (CI: /usr/bin/aws), to confirm each verdict against the real parser. */
const awsCli = ["/usr/bin/aws", ...(process.env.PATH ?? "").split(":").map((d) => join(d, "aws"))].find(
  (p) => p !== "/aws" && existsSync(p),
);
const dir = mkdtempSync(join(tmpdir(), "ccb-awscfg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cliAccepts(text: string): boolean {
  const file = join(dir, "config");
  writeFileSync(file, text);
  try {
    execFileSync(awsCli!, ["configure", "list"], {
      env: { PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: file, AWS_SHARED_CREDENTIALS_FILE: join(dir, "none") },
      stdio: "pipe",
      timeout: 30_000,
    });
    return true;
  } catch {
    return false;
  }
}

describe.runIf(awsCli !== undefined)("agrees with the real AWS CLI", () => {
  const cases = [
    ...Object.entries(ACCEPTED).map(([n, t]) => [n, t, true] as const),
    ...Object.entries(REJECTED).map(([n, [t]]) => [n, t, false] as const),
  ];
  it("on every accepted and refused file above", () => {
    const disagreements = cases.filter(([, text, accepted]) => cliAccepts(text) !== accepted).map(([n]) => n);
    expect(disagreements).toEqual([]);
  }, 120_000);
});
