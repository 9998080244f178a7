import { randomBytes } from "node:crypto";
import { bullmqHealth, createWorker } from "@hookgate/bullmq";
import { createReceiver, schemes } from "@hookgate/core";
import { Queue } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { receiverConnection, workerConnection } from "../../examples/express-bullmq/src/redis.js";
import { describeRedis, REDIS_URL } from "../support/services.js";

describe("examples/express-bullmq: the worker connects with the receiver's REDIS_URL", () => {
  it("keeps the database, user, password and TLS of a rediss:// URL, on both sides", () => {
    const url = "rediss://alice:s3cr%40t@redis.example.com:6380/4";
    for (const connection of [
      receiverConnection(url, { lazyConnect: true }),
      workerConnection(url, { lazyConnect: true }),
    ]) {
      expect(connection.options).toMatchObject({
        host: "redis.example.com",
        port: 6380,
        db: 4,
        username: "alice",
        password: "s3cr@t",
        tls: expect.anything(),
      });
      connection.disconnect();
    }
    expect(workerConnection(url, { lazyConnect: true }).options.maxRetriesPerRequest).toBeNull();
  });
});

describeRedis("examples/express-bullmq against Redis", () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it("a worker built as the example builds it consumes the receiver's queue on a non-default database", async () => {
    const url = new URL(REDIS_URL);
    url.pathname = "/5";
    const name = `example-${randomBytes(4).toString("hex")}`;
    const queue = new Queue(name, { connection: receiverConnection(url.href) });
    closers.push(async () => {
      await queue.obliterate({ force: true });
      await queue.close();
    });
    const receiver = createReceiver({ scheme: schemes.stripe({ secret: "whsec_example" }) });
    expect(await bullmqHealth(queue)).toMatchObject({ ok: false, workers: 0 });
    const worker = createWorker(receiver, { name, connection: workerConnection(url.href) });
    closers.push(() => worker.close());
    await worker.waitUntilReady();
    expect(await bullmqHealth(queue)).toMatchObject({ ok: true, database: 5, workers: 1 });
  });
});
