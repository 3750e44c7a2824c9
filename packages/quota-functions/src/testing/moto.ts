/**
 * A moto server (Python moto 5.2, `python3 -m moto.server`) on a free loopback port: the AWS APIs the
 * local DynamoDB does not cover (Athena, CloudWatch) for the tests. Never bundled into a Lambda.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface Moto {
  readonly url: string;
  /** Client options for an AWS SDK v3 client talking to this server. */
  readonly clientOptions: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** Queues Athena results: each query execution, in order, answers the next one. */
  setAthenaResults(results: Array<{ columns: string[]; rows: Array<Array<string | null>> }>): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startMoto(): Promise<Moto> {
  try {
    execFileSync("python3", ["-c", "import moto.server"], { stdio: "pipe" });
  } catch {
    throw new Error("these tests need Python moto with its server: `pip install 'moto[server]==5.2.*'` (the CI image ships it)");
  }
  const port = await freePort();
  const child: ChildProcess = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto server did not start on ${url} within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    clientOptions: { endpoint: url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } },
    setAthenaResults: async (results) => {
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
    },
    close: async () => {
      child.kill();
    },
  };
}
