/**
 * A moto server (Python moto 5.2, `python3 -m moto.server`) on a free loopback port, for the tests that
 * need AWS APIs without an AWS account. One module for every package, so that the startup checks and
 * the teardown guarantees are written once.
 */
import { execFileSync, spawn } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export const MOTO_INSTALL_HINT = "pip install 'moto[server]==5.2.*'";

export interface MotoOptions {
  /** The Python interpreter; `python3` on PATH unless told. */
  readonly python?: string;
  /** How long the server may take to answer its first request. */
  readonly startupMs?: number;
}

export interface AthenaResult {
  columns: string[];
  rows: Array<Array<string | null>>;
}

export interface Moto {
  readonly url: string;
  readonly port: number;
  /** Client options for an AWS SDK v3 client talking to this server. */
  readonly clientOptions: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** Forgets every resource (moto's reset API), for tests that seed a fresh account each time. */
  reset(): Promise<void>;
  /** Queues Athena results: each query execution, in order, answers the next one. */
  setAthenaResults(results: AthenaResult[]): Promise<void>;
  /** Stops the server and waits until it has exited, so its port is free again. Safe to call twice. */
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Fails with the install instructions when the interpreter or moto's server is missing. */
export function assertMotoInstalled(python = "python3"): void {
  try {
    execFileSync(python, ["-c", "import moto.server"], { stdio: "pipe" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(
        `these tests need Python 3 with moto's server, and \`${python}\` was not found: install Python 3 (e.g. \`apt-get install python3 python3-pip\`), then \`${MOTO_INSTALL_HINT}\``,
      );
    throw new Error(
      `these tests need Python moto with its server (\`${python} -c 'import moto.server'\` fails): install it with \`${MOTO_INSTALL_HINT}\` (the CI image ships it)`,
    );
  }
}

// The server runs under a watchdog thread that exits once its parent is gone: a test worker killed
// before its teardown (a crash, a timeout's SIGKILL) must not leave a server holding a port.
const SERVE_WITH_WATCHDOG = `
import os, sys, threading, time
parent = os.getppid()
def watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
from moto.server import main
main(sys.argv[1:])
`;

export async function startMoto(options: MotoOptions = {}): Promise<Moto> {
  const python = options.python ?? "python3";
  assertMotoInstalled(python);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(python, ["-c", SERVE_WITH_WATCHDOG, "-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000); // the tail says why it stopped
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const running = () => child.exitCode === null && child.signalCode === null;
  // Belt and braces with the watchdog: a worker that exits without its afterAll still stops the server.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const close = async () => {
    process.removeListener("exit", killOnExit);
    if (running()) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + (options.startupMs ?? 30_000);
  for (;;) {
    if (!running()) {
      await close();
      throw new Error(`moto server exited before answering on ${url} (exit ${child.exitCode ?? child.signalCode}): ${stderr.trim()}`);
    }
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`moto server did not start on ${url} within ${options.startupMs ?? 30_000} ms: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    port,
    clientOptions: { endpoint: url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } },
    reset: async () => {
      const res = await fetch(`${url}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`moto refused the reset: ${res.status}`);
    },
    setAthenaResults: (results) => setAthenaResults(url, results),
    close,
  };
}

async function setAthenaResults(url: string, results: AthenaResult[]): Promise<void> {
  const body = {
    region: "us-east-1",
    results: results.map((r) => ({
      // Athena repeats the column names as the first row of a SELECT's results.
      rows: [r.columns, ...r.rows].map((row) => ({ Data: row.map((v) => (v === null ? {} : { VarCharValue: v })) })),
      column_info: r.columns.map((c) => ({ Name: c, Label: c, Type: "varchar", CatalogName: "hive", Nullable: "UNKNOWN" })),
    })),
  };
  const res = await fetch(`${url}/moto-api/static/athena/query-results`, { method: "POST", body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`moto refused the Athena results: ${res.status}`);
}
