import { randomBytes } from "node:crypto";
import {
  createReceiver,
  findJournalEntry,
  isWebhookError,
  memoryJournal,
  type QueuedDelivery,
  schemes,
} from "@hookgate/core";
import { redisStore } from "@hookgate/redis";
import { type Job, Queue, type Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRedis, REDIS_URL } from "../../../test/support/services.js";
import { bullmqQueue } from "./bullmq-queue.js";
import { createWorker } from "./create-worker.js";
import { jobIdFor } from "./job-id.js";

const run = randomBytes(4).toString("hex");
const scheme = schemes.stripe({ secret: "whsec_bullmq_test" });
const { hostname, port } = new URL(REDIS_URL);
const connection = { host: hostname, port: Number(port || 6379) };

async function signedDelivery(id: string, type = "invoice.paid") {
  const rawBody = JSON.stringify({ id, object: "event", type, data: { object: { id: `in_${id}` } } });
  return { method: "POST", headers: await scheme.sign({ rawBody }), rawBody };
}

function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = async () => {
      if (await condition()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error("condition not met in time"));
      setTimeout(poll, 25);
    };
    void poll();
  });
}

describe("jobIdFor", () => {
  it("is the same for every copy of a delivery, bounded, and free of ':'", () => {
    const a = jobIdFor({ key: "stripe:evt_1", scheme: "stripe", id: "evt_1" });
    expect(jobIdFor({ key: "stripe:evt_1", scheme: "stripe", id: "other" })).toBe(a);
    expect(a).not.toContain(":");
    const long = jobIdFor({ key: `stripe:${"x".repeat(10_000)}`, scheme: "stripe", id: "x" });
    expect(long.length).toBeLessThan(60);
    expect(jobIdFor({ key: "stripe:evt_2", scheme: "stripe", id: "evt_2" })).not.toBe(a);
    expect(jobIdFor({ key: "\uD800", scheme: "s", id: "1" })).not.toBe(
      jobIdFor({ key: "\uDFFF", scheme: "s", id: "1" }),
    );
  });
});

describeRedis("bullmqQueue and createWorker", () => {
  let client: Redis;
  const queues: Queue[] = [];
  const workers: Worker[] = [];

  function setUp(name: string, options: { attempts?: number; verify?: boolean } = {}) {
    const queueName = `hookgate-test-bullmq-${run}-${name}`;
    const queue = new Queue(queueName, { connection });
    queues.push(queue);
    const store = redisStore({ client, prefix: `hookgate-test:bullmq:${run}:` });
    const jobOptions = { attempts: options.attempts ?? 3, backoff: { type: "fixed", delay: 50 } };
    const journal = memoryJournal();
    const receiver = createReceiver({
      scheme,
      store,
      journal,
      queue: bullmqQueue({ queue, jobOptions }),
      namespace: name,
    });
    const start = (extra: { inFlightDelayMs?: number } = {}) => {
      const worker = createWorker(receiver, {
        name: queueName,
        connection,
        verify: options.verify ?? false,
        ...extra,
      });
      workers.push(worker);
      return worker;
    };
    return { queue, receiver, store, journal, start };
  }

  beforeAll(async () => {
    client = new Redis(REDIS_URL, { lazyConnect: true });
    await client.connect();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    for (const queue of queues) {
      await queue.obliterate({ force: true });
      await queue.close();
    }
    const keys = await client.keys(`hookgate-test:bullmq:${run}:*`);
    if (keys.length) await client.del(...keys);
    await client.quit();
  });

  it("answers 202 once the job is in Redis, with one job for every copy of a delivery", async () => {
    const { queue, receiver } = setUp("enqueue");
    const request = await signedDelivery("evt_enqueue");
    const answer = await receiver.handle(request);
    expect(answer.status).toBe(202);
    // The same delivery again (a second copy that raced the first, with its claim released).
    await bullmqQueue({ queue }).enqueue({ ...(await queue.getJobs())[0]!.data });
    const jobs = await queue.getJobs();
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job.id).toBe(jobIdFor(job.data));
    expect(job.name).toBe("invoice.paid");
    expect(job.data).toMatchObject({
      id: "evt_enqueue",
      type: "invoice.paid",
      key: expect.stringMatching(/^enqueue:stripe:[A-Za-z0-9_-]{22}:evt_enqueue$/),
    });
    expect(job.opts.attempts).toBe(3);
  });

  it("runs the handlers once per delivery, even when the job is added again after BullMQ removed it", async () => {
    const { queue, receiver, start } = setUp("once");
    const runs: string[] = [];
    receiver.on("invoice.paid", (event) => {
      runs.push(event.id);
    });
    expect((await receiver.handle(await signedDelivery("evt_once"))).status).toBe(202);
    const worker = start();
    await until(() => runs.length === 1);
    const [job] = await queue.getJobs(["completed"]);
    await until(async () => (await queue.getJobs(["completed"])).length === 1);
    const delivery = job?.data ?? (await queue.getJobs(["completed"]))[0]!.data;
    // BullMQ forgets the job; the sender's retry (the receiver forgot it too) enqueues it again.
    await queue.clean(0, 100, "completed");
    expect(await queue.getJobCounts("completed")).toMatchObject({ completed: 0 });
    await bullmqQueue({ queue }).enqueue(delivery);
    await until(async () => (await queue.getJobCounts("completed")).completed === 1);
    expect(runs).toEqual(["evt_once"]);
    await worker.close();
  });

  it("retries a failing handler with the job's attempts, then completes", async () => {
    const { queue, receiver, start } = setUp("retry", { attempts: 5 });
    let calls = 0;
    receiver.on("invoice.paid", () => {
      if (++calls < 3) throw new Error(`flaky downstream ${calls}`);
    });
    await receiver.handle(await signedDelivery("evt_retry"));
    start();
    await until(async () => (await queue.getJobCounts("completed")).completed === 1);
    expect(calls).toBe(3);
    const [job] = await queue.getJobs(["completed"]);
    expect(job!.attemptsMade).toBe(3);
  });

  it("keeps a job whose every attempt failed, with its error, for inspection and retry; the journal shows it dead", async () => {
    const { queue, receiver, journal, start } = setUp("dead", { attempts: 2 });
    receiver.on("invoice.paid", () => {
      throw new Error("downstream is down");
    });
    await receiver.handle(await signedDelivery("evt_dead"));
    start();
    await until(async () => (await queue.getJobCounts("failed")).failed === 1);
    const [job] = (await queue.getJobs(["failed"])) as Job<QueuedDelivery>[];
    expect(job!.attemptsMade).toBe(2);
    expect(job!.failedReason).toBe("downstream is down");
    expect(job!.data.id).toBe("evt_dead");
    await until(async () => (await findJournalEntry(journal, "evt_dead"))?.status === "dead");
  });

  it("waits, without using an attempt, while another worker runs the same delivery", async () => {
    const { queue, receiver, store, start } = setUp("in-flight", { attempts: 1 });
    const runs: string[] = [];
    receiver.on("invoice.paid", (event) => {
      runs.push(event.id);
    });
    await receiver.handle(await signedDelivery("evt_busy"));
    const [job] = (await queue.getJobs()) as Job<QueuedDelivery>[];
    // Another worker holds the delivery's handled-key.
    const other = await store.claim(`handled:${job!.data.key}`, { lockMs: 30_000, ttlMs: 60_000 });
    if (other.status !== "claimed") throw new Error(other.status);
    start({ inFlightDelayMs: 200 });
    await until(async () => (await queue.getJobCounts("delayed")).delayed === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runs).toEqual([]);
    expect(await queue.getJobCounts("failed")).toMatchObject({ failed: 0 });
    // The other worker gives up (its handler failed): this one runs it, with its one attempt intact.
    await store.release(`handled:${job!.data.key}`, other.token);
    await until(async () => (await queue.getJobCounts("completed")).completed === 1);
    expect(runs).toEqual(["evt_busy"]);
  });

  it("fails at once, without retries, a delivery whose signature no longer verifies", async () => {
    const { queue, receiver, start } = setUp("tampered", { attempts: 5, verify: true });
    const runs: string[] = [];
    receiver.on("invoice.paid", (event) => {
      runs.push(event.id);
    });
    const request = await signedDelivery("evt_signed");
    const delivery: QueuedDelivery = {
      id: "evt_signed",
      key: "tampered:stripe:evt_signed",
      type: "invoice.paid",
      scheme: "stripe",
      receivedAt: new Date().toISOString(),
      matchedSecret: { index: 0 },
      payload: {},
      rawBody: request.rawBody.replace("in_evt_signed", "in_someone_else"),
      headers: request.headers,
    };
    await bullmqQueue({ queue }).enqueue(delivery);
    start();
    await until(async () => (await queue.getJobCounts("failed")).failed === 1);
    const [job] = await queue.getJobs(["failed"]);
    expect(job!.attemptsMade).toBe(1);
    expect(job!.failedReason).toMatch(/signature/);
    expect(runs).toEqual([]);
  });

  it("answers 503 queue_unavailable within the receiver's queueTimeoutMs when Redis does not take the job", async () => {
    // A port nothing listens on: BullMQ waits for a connection that never comes.
    const queue = new Queue(`hookgate-test-bullmq-${run}-down`, {
      connection: { host: "127.0.0.1", port: 1, enableOfflineQueue: false, retryStrategy: () => 1000 },
    });
    queue.on("error", () => {});
    const store = redisStore({ client, prefix: `hookgate-test:bullmq:${run}:` });
    const receiver = createReceiver({
      scheme,
      store,
      queue: bullmqQueue({ queue }),
      queueTimeoutMs: 300,
      namespace: "down",
    });
    const answer = await receiver.handle(await signedDelivery("evt_down"));
    expect(answer.status).toBe(503);
    expect(answer.error?.code).toBe("queue_unavailable");
    // The receiver's bound answered, not BullMQ (which would wait for Redis indefinitely).
    expect(answer.error?.message).toContain("queueTimeoutMs (300 ms)");
    expect(answer.headers["retry-after"]).toBe("5");
    // Nothing was acknowledged, so the key was released: the sender's retry is processed.
    const claim = await store.claim("down:stripe:evt_down", { lockMs: 1000, ttlMs: 1000 });
    expect(claim.status).toBe("claimed");
    await queue.close().catch(() => {});
  });

  it("refuses a missing queue or connection at creation", () => {
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isWebhookError(error) ? error.code : "other";
      }
      return "none";
    };
    expect(bad(() => bullmqQueue({} as never))).toBe("invalid_option");
    // The receiver's queueTimeoutMs bounds every queue: no second, private timeout.
    expect(bad(() => bullmqQueue({ queue: { add: async () => {} }, timeoutMs: 2000 } as never))).toBe(
      "invalid_option",
    );
    expect(bad(() => createWorker(createReceiver({ scheme }), {} as never))).toBe("invalid_option");
  });
});
