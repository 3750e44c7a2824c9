/**
 * The moto server the other packages' tests share: it answers the AWS SDK, its reset forgets what was
 * created, close() really stops it (the port is free again), and a missing interpreter or moto fails
 * with the way to install it instead of a timeout.
 */
import * as net from "node:net";
import { CreateBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MOTO_INSTALL_HINT, startMoto, type Moto } from "./moto.js";

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });

describe("startMoto", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => {
    await moto?.close();
  });

  it("answers STS GetCallerIdentity with moto's default account through the AWS SDK", async () => {
    const sts = new STSClient(moto.clientOptions);
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe("123456789012");
    sts.destroy();
  });

  it("forgets every resource on reset", async () => {
    const s3 = new S3Client({ ...moto.clientOptions, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "before-reset" }));
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(["before-reset"]);
    await moto.reset();
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    s3.destroy();
  });

  it("close() stops the server and frees its port, and a second close() is harmless", async () => {
    const own = await startMoto();
    expect(await portIsFree(own.port)).toBe(false);
    await own.close();
    expect(await portIsFree(own.port)).toBe(true);
    await expect(fetch(`${own.url}/moto-api/`)).rejects.toThrow();
    await own.close();
  }, 60_000);
});

describe("startMoto without its prerequisites", () => {
  it("names Python 3 and the moto install command when the interpreter is missing", async () => {
    const failure = startMoto({ python: "/nonexistent/python3" });
    await expect(failure).rejects.toThrow(/install Python 3/);
    await expect(failure).rejects.toThrow(MOTO_INSTALL_HINT);
  });

  it("names the moto install command when the interpreter cannot import moto's server", async () => {
    // `false` stands for a Python without moto: the import check exits non-zero.
    const failure = startMoto({ python: "false" });
    await expect(failure).rejects.toThrow(/moto with its server/);
    await expect(failure).rejects.toThrow(MOTO_INSTALL_HINT);
  });
});
