/**
 * A real npm registry for the install tests: verdaccio on 127.0.0.1, a temporary storage, no uplinks
 * (nothing is proxied from the internet), reads and publishes for authenticated users only (like
 * CodeArtifact). Started as `node <verdaccio bin>` so the test holds the server's own pid and stops it by that pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { freePort } from "@ccb/test-support";
import { REPO_ROOT } from "../../src/helper-bundle";

export interface Registry {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Creates a user and returns its bearer token. */
  addUser(name: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startVerdaccio(dir: string): Promise<Registry> {
  mkdirSync(path.join(dir, "storage"), { recursive: true });
  const config = path.join(dir, "config.yaml");
  writeFileSync(
    config,
    [
      `storage: ${path.join(dir, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${path.join(dir, "htpasswd")}`,
      "    max_users: 10",
      "uplinks: {}",
      "packages:",
      "  '@*/*':",
      "    access: $authenticated",
      "    publish: $authenticated",
      "  '**':",
      "    access: $authenticated",
      "    publish: $authenticated",
      "log: { type: stdout, format: pretty, level: error }",
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const bin = path.join(REPO_ROOT, "node_modules", "verdaccio", "bin", "verdaccio");
  const child = spawn(process.execPath, [bin, "--config", config, "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HOME: dir },
  });
  let output = "";
  child.stdout!.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (output += b.toString()));
  const url = `http://127.0.0.1:${port}/`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited (${child.exitCode}): ${output}`);
    try {
      const r = await fetch(`${url}-/ping`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 45_000) {
      child.kill();
      throw new Error(`verdaccio did not answer /-/ping: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    process: child,
    async addUser(name, password) {
      const r = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, password }),
      });
      const body = (await r.json()) as { token?: string };
      if (!r.ok || !body.token) throw new Error(`verdaccio refused user ${name}: HTTP ${r.status} ${JSON.stringify(body)}`);
      return body.token;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
