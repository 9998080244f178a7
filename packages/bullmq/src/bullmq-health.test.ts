import { randomBytes } from "node:crypto";
import { createReceiver, schemes } from "@hookgate/core";
import { Queue, type Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { describeRedis, REDIS_URL } from "../../../test/support/services.js";
import { bullmqHealth } from "./bullmq-health.js";
import { bullmqQueue } from "./bullmq-queue.js";
import { createWorker } from "./create-worker.js";

const run = randomBytes(4).toString("hex");
/** REDIS_URL with another database: what a worker built from host and port alone misses. */
const onDatabase = (db: number) => {
  const url = new URL(REDIS_URL);
  url.pathname = `/${db}`;
  return url.href;
};

describeRedis("bullmqHealth: is the receiver's queue consumed?", () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  /** The receiver's side: a queue on database 3 of REDIS_URL, handed deliveries by a receiver. */
  function receiverQueue(name: string) {
    const queue = new Queue(name, { connection: new Redis(onDatabase(3), { maxRetriesPerRequest: 1 }) });
    closers.push(async () => {
      await queue.obliterate({ force: true });
      await queue.close();
    });
    const receiver = createReceiver({
      scheme: schemes.stripe({ secret: "whsec_health" }),
      queue: bullmqQueue({ queue }),
    });
    return { queue, receiver };
  }

  function worker(receiver: Parameters<typeof createWorker>[0], name: string, url: string): Promise<Worker> {
    const started = createWorker(receiver, {
      name,
      connection: new Redis(url, { maxRetriesPerRequest: null }),
    });
    closers.push(() => started.close());
    return started.waitUntilReady().then(() => started);
  }

  it("no worker: not ok, and the problem says to start one with the receiver's REDIS_URL", async () => {
    const { queue } = receiverQueue(`health-none-${run}`);
    const health = await bullmqHealth(queue);
    expect(health).toMatchObject({
      ok: false,
      queue: queue.name,
      database: 3,
      workers: 0,
      workersElsewhere: 0,
    });
    expect(health.problem).toMatch(
      /^hookgate: no BullMQ worker consumes queue "health-none-.*" \(Redis database 3\)/,
    );
  });

  it("a worker on the same queue and database: ok", async () => {
    const { queue, receiver } = receiverQueue(`health-ok-${run}`);
    await worker(receiver, queue.name, onDatabase(3));
    const health = await bullmqHealth(queue);
    expect(health).toMatchObject({ ok: true, workers: 1, workersElsewhere: 0, paused: false });
    expect(health.problem).toBeUndefined();
  });

  it("a worker whose connection lost REDIS_URL's database: not ok, and says so", async () => {
    const { queue, receiver } = receiverQueue(`health-db-${run}`);
    const { hostname, port } = new URL(REDIS_URL);
    // The example's old worker: host and port from REDIS_URL, database dropped (so 0).
    await worker(receiver, queue.name, `redis://${hostname}:${port || 6379}`);
    const health = await bullmqHealth(queue);
    expect(health).toMatchObject({ ok: false, workers: 0, workersElsewhere: 1 });
    expect(health.problem).toMatch(
      /use another Redis database: build the worker's connection from the same REDIS_URL/,
    );
  });

  it("a worker consuming another queue name: not ok", async () => {
    const { queue, receiver } = receiverQueue(`health-name-${run}`);
    await worker(receiver, `${queue.name}-typo`, onDatabase(3));
    expect(await bullmqHealth(queue)).toMatchObject({ ok: false, workers: 0, workersElsewhere: 0 });
  });

  it("a job that has waited maxWaitingMs is unhealthy even with a worker connected", async () => {
    const { queue, receiver } = receiverQueue(`health-wait-${run}`);
    // Connected, but taking no jobs (a stuck worker).
    const idle = createWorker(receiver, {
      name: queue.name,
      connection: new Redis(onDatabase(3), { maxRetriesPerRequest: null }),
      autorun: false,
    });
    closers.push(() => idle.close());
    await idle.waitUntilReady();
    const job = await queue.add("invoice.paid", { id: "evt_wait" } as never);
    // The check's own clock ages the job: no waiting in the test.
    const fresh = await bullmqHealth(queue, { now: () => job.timestamp + 1000 });
    expect(fresh).toMatchObject({ ok: true, workers: 1, waiting: 1, oldestWaitingMs: 1000 });
    const stale = await bullmqHealth(queue, { now: () => job.timestamp + 61_000 });
    expect(stale).toMatchObject({ ok: false, workers: 1, oldestWaitingMs: 61_000 });
    expect(stale.problem).toMatch(/a job has waited 61 s in BullMQ queue .*: its workers are stuck, too few/);
  });

  it("a paused queue is unhealthy", async () => {
    const { queue, receiver } = receiverQueue(`health-paused-${run}`);
    await worker(receiver, queue.name, onDatabase(3));
    await queue.pause();
    const health = await bullmqHealth(queue);
    expect(health).toMatchObject({ ok: false, paused: true, workers: 1 });
    expect(health.problem).toMatch(/is paused; resume it/);
  });

  it("refuses bad options", async () => {
    const { queue } = receiverQueue(`health-opts-${run}`);
    await expect(bullmqHealth(queue, { maxWaitingMs: -1 })).rejects.toMatchObject({ code: "invalid_option" });
  });
});

describe("bullmqHealth without Redis", () => {
  it("rejects with queue_unavailable when the queue cannot be read", async () => {
    const broken = {
      name: "q",
      opts: { connection: {} },
      getWorkers: () => Promise.reject(new Error("ECONNREFUSED")),
      getJobCounts: () => Promise.reject(new Error("ECONNREFUSED")),
      getJobs: () => Promise.reject(new Error("ECONNREFUSED")),
      isPaused: () => Promise.reject(new Error("ECONNREFUSED")),
    } as unknown as Queue;
    await expect(bullmqHealth(broken)).rejects.toMatchObject({
      code: "queue_unavailable",
      message: expect.stringMatching(/^hookgate: cannot read BullMQ queue "q": ECONNREFUSED/),
    });
  });
});
