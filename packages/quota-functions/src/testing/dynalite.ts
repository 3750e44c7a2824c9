/**
 * A real local DynamoDB (dynalite, in memory) with the quota tables exactly as the QuotaService
 * component creates them. Used by the tests and the benchmark; never bundled into a Lambda.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { AddressInfo } from "node:net";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { QuotaStore } from "../store.js";

const require = createRequire(import.meta.url);

interface DynaliteServer {
  listen(port: number, host: string, cb: (err?: Error) => void): void;
  close(cb: () => void): void;
  address(): AddressInfo;
}

export interface LocalDynamo {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  readonly store: QuotaStore;
  /** The emulator's own process when it runs in one (the benchmark reads its CPU time). */
  readonly pid?: number;
  close(): Promise<void>;
}

let counter = 0;

/**
 * Starts dynalite in this process, or (`separateProcess`) in a child process so that the server and
 * the client under test do not share one CPU core, as with the real service (used by the benchmark).
 */
export async function startLocalDynamo(opts: { separateProcess?: boolean } = {}): Promise<LocalDynamo> {
  let endpoint: string;
  let stop: () => Promise<void>;
  let pid: number | undefined;
  if (opts.separateProcess) {
    const script = `const d=require(${JSON.stringify(require.resolve("dynalite"))})({createTableMs:0,deleteTableMs:0,updateTableMs:0});d.listen(0,"127.0.0.1",()=>process.stdout.write(String(d.address().port)+"\\n"));`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout!.once("data", (b: Buffer) => resolve(b.toString().trim()));
      child.once("exit", (code) => reject(new Error(`dynalite exited with ${code}`)));
    });
    endpoint = `http://127.0.0.1:${port}`;
    pid = child.pid;
    stop = async () => {
      child.kill();
    };
  } else {
    const dynalite = require("dynalite") as (o: Record<string, unknown>) => DynaliteServer;
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => server.listen(0, "127.0.0.1", (err) => (err ? reject(err) : resolve())));
    endpoint = `http://127.0.0.1:${server.address().port}`;
    stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 3,
  });
  const n = ++counter;
  const limitsTable = `quota-limits-${n}`;
  const usageTable = `quota-usage-${n}`;
  await createQuotaTables(client, limitsTable, usageTable);
  return {
    client,
    endpoint,
    store: new QuotaStore(client, limitsTable, usageTable),
    ...(pid !== undefined ? { pid } : {}),
    close: async () => {
      client.destroy();
      await stop();
    },
  };
}

/** The key schema the component declares (packages/infra/src/quotas/tables.ts). */
export async function createQuotaTables(client: DynamoDBClient, limitsTable: string, usageTable: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: limitsTable,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "scope", AttributeType: "S" },
        { AttributeName: "id", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "scope", KeyType: "HASH" },
        { AttributeName: "id", KeyType: "RANGE" },
      ],
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: usageTable,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
    }),
  );
  // dynalite answers CREATING and switches to ACTIVE on a timer: wait for it, as a deployment would.
  for (const table of [limitsTable, usageTable]) {
    for (let i = 0; ; i++) {
      const d = await client.send(new DescribeTableCommand({ TableName: table }));
      if (d.Table?.TableStatus === "ACTIVE" && (d.Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === "ACTIVE")) break;
      if (i > 200) throw new Error(`table ${table} did not become ACTIVE`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

let fresh = 0;

/** A new, empty pair of quota tables on the server (one per test keeps tests independent), as a store. */
export async function freshQuotaStore(db: LocalDynamo, prefix: string): Promise<QuotaStore> {
  fresh++;
  const store = new QuotaStore(db.client, `${prefix}-limits-${fresh}`, `${prefix}-usage-${fresh}`);
  await createQuotaTables(db.client, store.limitsTable, store.usageTable);
  return store;
}
