/**
 * A corporate network on loopback: a test root CA with a certificate for `localhost`/127.0.0.1 (openssl,
 * made at test time), and Debian's tinyproxy as the HTTP(S) proxy, logging every CONNECT.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@ccb/test-support";
import type { TestTls } from "./idp.js";

export const TINYPROXY = "/usr/bin/tinyproxy";

export interface TestCa {
  readonly dir: string;
  /** PEM file of the root CA (what NODE_EXTRA_CA_CERTS points at). */
  readonly caFile: string;
  /** The server certificate for localhost and 127.0.0.1, issued by that CA. */
  readonly tls: TestTls;
  remove(): void;
}

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "ccb-e2e-ca-"));
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  ssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=claude-bedrock e2e test root CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  ssl(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    f("server.key"),
    "-out",
    f("server.csr"),
    "-subj",
    "/CN=localhost",
  );
  writeFileSync(
    f("server.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
  );
  ssl(
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("server.pem"),
    "-days",
    "2",
    "-extfile",
    f("server.ext"),
  );
  return {
    dir,
    caFile: f("ca.pem"),
    tls: { key: readFileSync(f("server.key"), "utf8"), cert: readFileSync(f("server.pem"), "utf8") },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TestProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `CONNECT host:port` targets the proxy has logged so far, in order. */
  connects(): string[];
  /** Forgets what was logged (each test reads only its own CONNECTs). */
  reset(): void;
  close(): Promise<void>;
}

/**
 * tinyproxy on 127.0.0.1 in the foreground. No `ConnectPort` line: tinyproxy then allows CONNECT to any
 * port (the stand-ins listen on ephemeral ones). `LogLevel Connect` logs each request line. `config`:
 * more lines (`ConnectPort 443` makes it refuse the stand-ins' tunnels, as a strict corporate proxy would).
 */
export async function startProxy(options: { config?: string[] } = {}): Promise<TestProxy> {
  const dir = mkdtempSync(join(tmpdir(), "ccb-e2e-proxy-"));
  const port = await freePort();
  const log = join(dir, "tinyproxy.log");
  writeFileSync(
    join(dir, "tinyproxy.conf"),
    [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Timeout 60",
      `LogFile "${log}"`,
      "LogLevel Connect",
      "MaxClients 50",
      "Allow 127.0.0.1",
      `PidFile "${join(dir, "tinyproxy.pid")}"`,
      ...(options.config ?? []),
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(TINYPROXY, ["-d", "-c", join(dir, "tinyproxy.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (c) => (stderr += c));
  // Ready when it accepts connections.
  const net = await import("node:net");
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, "127.0.0.1", () => (s.end(), r(true)));
      s.on("error", () => r(false));
    });
    if (ok) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`tinyproxy did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  let skip = 0;
  const text = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
  return {
    url: `http://127.0.0.1:${port}`,
    connects: () =>
      text()
        .slice(skip)
        .split("\n")
        .flatMap((l) => {
          const m = /Request \(file descriptor \d+\): CONNECT (\S+) HTTP/.exec(l);
          return m ? [m[1]!] : [];
        }),
    reset: () => {
      skip = text().length;
    },
    close: async () => {
      child.kill("SIGTERM");
      if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
