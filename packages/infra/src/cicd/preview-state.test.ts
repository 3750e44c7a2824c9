import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { arr, at } from "../testing";
import { SECRET_SIG, SECRET_SIG_KEY, secretFreeDeployment, WITHHELD_SECRET } from "./preview-state";

const secret = (ciphertext: string) => ({ [SECRET_SIG_KEY]: SECRET_SIG, ciphertext });
/** A `pulumi stack export` of a stack with the awskms provider: its data key and two secrets in a resource. */
const exported = {
  version: 3,
  deployment: {
    manifest: { time: "2026-01-01T00:00:00Z", magic: "m", version: "v3.200.0" },
    secrets_providers: { type: "cloud", state: { url: "awskms://alias/ccb-pulumi?region=us-east-1", encryptedkey: "AQICAHh…" } },
    resources: [
      {
        urn: "urn:pulumi:prod::claude-code-bedrock::pulumi:pulumi:Stack::claude-code-bedrock-prod",
        type: "pulumi:pulumi:Stack",
        outputs: { helperSettings: { stage: "prod" } },
      },
      {
        urn: "urn:pulumi:prod::claude-code-bedrock::aws:iam/role:Role::ccb-prod-xa-workload-invoke-role",
        type: "aws:iam/role:Role",
        inputs: { name: "ccb-prod-workload-invoke", assumeRolePolicy: secret("v1:abc:def") },
        outputs: {
          arn: "arn:aws:iam::222222222222:role/ccb-prod-workload-invoke",
          assumeRolePolicy: secret("v1:ghi:jkl"),
          tags: ["a", { nested: secret("v1:x:y") }],
        },
      },
    ],
  },
};

describe("secret-free state for pull-request previews", () => {
  it("replaces every secret with a placeholder, drops the secrets provider's data key, and keeps everything else", () => {
    const { exported: out, withheld } = secretFreeDeployment(structuredClone(exported));
    expect(withheld).toBe(3);
    const text = JSON.stringify(out);
    expect(text).not.toContain("ciphertext");
    expect(text).not.toContain("v1:abc:def");
    expect(text).not.toContain("encryptedkey");
    expect(out.deployment.secrets_providers).toBeUndefined();
    const role = arr(out.deployment.resources)[1];
    // Still a secret (Pulumi keeps it secret in the preview), with a value that says what happened.
    expect(at(role, "inputs", "assumeRolePolicy")).toEqual({ [SECRET_SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify(WITHHELD_SECRET) });
    expect(at(arr(at(role, "outputs", "tags"))[1], "nested", "plaintext")).toBe(JSON.stringify(WITHHELD_SECRET));
    expect(at(role, "outputs", "arn")).toBe("arn:aws:iam::222222222222:role/ccb-prod-workload-invoke");
    expect(out.deployment.manifest).toEqual(exported.deployment.manifest);
    expect(arr(out.deployment.resources)[0]).toEqual(exported.deployment.resources[0]);
  });

  it("refuses what is not a version-3 export", () => {
    expect(() => secretFreeDeployment({ version: 2, deployment: {} })).toThrow(/pulumi stack export/);
    expect(() => secretFreeDeployment({ checkpoint: {} })).toThrow(/pulumi stack export/);
  });

  it("the workflow's CLI writes the file and prints a count, never a value", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "preview-state-"));
    writeFileSync(path.join(dir, "in.json"), JSON.stringify(exported));
    const tsx = path.resolve(__dirname, "../../../../node_modules/.bin/tsx");
    const stdout = execFileSync(
      tsx,
      [path.join(__dirname, "preview-state-cli.ts"), path.join(dir, "in.json"), path.join(dir, "out.json")],
      { encoding: "utf8" },
    );
    expect(stdout.trim()).toBe("secret-free state written: 3 secret value(s) withheld");
    expect(readFileSync(path.join(dir, "out.json"), "utf8")).not.toContain("ciphertext");
  });
});
