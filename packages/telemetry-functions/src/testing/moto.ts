/**
 * A moto server (Python moto 5.2, `python3 -m moto.server`) on a free loopback port, for the tests of
 * this package (CloudWatch). Never bundled into a Lambda.
 */
import { execFileSync, spawn } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface Moto {
  readonly url: string;
  readonly clientOptions: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
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
  const child = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
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
    close: async () => {
      child.kill();
    },
  };
}
