import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRedis, REDIS_URL } from "../support/services.js";
import { describeRedisServer, type RedisServer, startRedisServer } from "./redis-support/redis-server.js";
import type { ReceiverConfig, WorkerConfig } from "./redis-support/scale-config.js";
import {
  type Answer,
  pool,
  post,
  type SignedDelivery,
  signDeliveries,
  tally,
  until,
} from "./redis-support/send.js";
import { removeBuild, spawnProcess, type TestProcess } from "./redis-support/spawn-process.js";

const is2xx = (a: Answer) => a.status >= 200 && a.status < 300;

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

async function settled(queue: Queue): Promise<boolean> {
  const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
  return Object.values(counts).every((n) => n === 0);
}

function connectionOf(url: string) {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port || 6379) };
}

function configs(redisUrl: string, run: string, worker: Partial<WorkerConfig> = {}) {
  const prefix = `hookgate-test:faults:${run}:`;
  const receiver: ReceiverConfig = {
    redisUrl,
    queueName: `hookgate-test-faults-${run}`,
    prefix,
    secret: `whsec_faults_${run}`,
    lockMs: 2000,
  };
  const workerConfig: WorkerConfig = {
    ...receiver,
    countsUrl: REDIS_URL,
    handledKey: `${prefix}runs:handled`,
    startedKey: `${prefix}runs:started`,
    concurrency: 4,
    lockDuration: 2000,
    stalledInterval: 1000,
    inFlightDelayMs: 300,
    ...worker,
  };
  return { prefix, receiver, worker: workerConfig };
}

// The store and the queue live on a Redis this test starts and crashes (SIGKILL) mid-run; handlers
// record their runs in the main Redis, which stays up.
describeRedisServer("a Redis outage mid-run", () => {
  const run = randomBytes(4).toString("hex");
  let server: RedisServer;
  let counts: Redis;
  let queue: Queue;
  let setup: ReturnType<typeof configs>;
  const processes: TestProcess[] = [];

  beforeAll(async () => {
    // appendfsync always: whatever Redis acknowledged (a job, a completion) survives the crash.
    server = await startRedisServer({ args: ["--appendonly", "yes", "--appendfsync", "always"] });
    setup = configs(server.url, run);
    counts = new Redis(REDIS_URL);
    processes.push(
      ...(await Promise.all([
        spawnProcess("receiver-process", setup.receiver),
        spawnProcess("receiver-process", setup.receiver),
        spawnProcess("worker-process", setup.worker),
      ])),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await removeBuild();
    await queue?.close().catch(() => {});
    await server?.destroy();
    if (counts) await deleteKeys(counts, `${setup.prefix}*`);
    await counts?.quit();
  }, 30_000);

  it("answers 503 while Redis is down, acknowledges only what Redis kept, and recovers by itself", async () => {
    const deliveries = await signDeliveries(setup.receiver.secret, 300, run);
    const urls = processes.slice(0, 2).map((p) => `http://127.0.0.1:${p.ready}/webhooks/stripe`);
    const answers: Answer[] = [];
    const send = async (batch: SignedDelivery[]) => {
      const got = await pool(
        batch.map((d, i) => () => post(urls[i % urls.length]!, d)),
        8,
      );
      answers.push(...got);
      return got;
    };

    await send(deliveries.slice(0, 100));
    // Crash Redis while the next hundred are on their way.
    const during = send(deliveries.slice(100, 200));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.kill();
    const down = Date.now();
    await during;
    await send(deliveries.slice(200, 300));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const up = Date.now();
    await server.start();

    // The sender retries whatever got no 2xx, as providers do; the same processes must recover.
    let resends = 0;
    for (let round = 0; ; round++) {
      const acknowledged = new Set(answers.filter(is2xx).map((a) => a.id));
      const pending = deliveries.filter((d) => !acknowledged.has(d.id));
      if (pending.length === 0) break;
      if (round >= 60)
        throw new Error(`${pending.length} deliveries never acknowledged: ${JSON.stringify(tally(answers))}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      resends += pending.length;
      await send(pending);
    }
    const recoveredMs = Date.now() - up;

    queue = new Queue(setup.receiver.queueName, { connection: connectionOf(server.url) });
    await until(
      async () => (await counts.hlen(setup.worker.handledKey)) >= deliveries.length && (await settled(queue)),
      30_000,
      async () =>
        `handled ${await counts.hlen(setup.worker.handledKey)}; jobs ${JSON.stringify(await queue.getJobCounts())}`,
    );
    const handled = await counts.hgetall(setup.worker.handledKey);
    const runs = deliveries.map((d) => Number(handled[d.id] ?? 0));
    const duplicates = runs.filter((n) => n > 1).length;
    const outage = answers.filter((a) => a.sentAt >= down && a.answeredAt < up);
    console.log(
      `[redis-faults] outage ${up - down} ms: answers during it ${JSON.stringify(tally(outage))}; ` +
        `all answers ${JSON.stringify(tally(answers))}; resent ${resends}; back to 2xx ${recoveredMs} ms after restart; ` +
        `handled ${runs.filter((n) => n > 0).length}/${deliveries.length}, ${duplicates} handled twice; ` +
        `slowest answer ${Math.max(...answers.map((a) => a.answeredAt - a.sentAt))} ms`,
    );

    // While Redis was down: 503 with Retry-After, store_unavailable or queue_unavailable, never a 2xx.
    expect(outage.length).toBeGreaterThan(0);
    for (const a of outage) {
      expect(a.status, JSON.stringify(a)).toBe(503);
      expect(["store_unavailable", "queue_unavailable"]).toContain(a.code);
      expect(a.retryAfter).toBeDefined();
    }
    // Never a hang: every request was answered (a client timeout would be status 0).
    for (const a of answers) expect([200, 202, 409, 503], JSON.stringify(a)).toContain(a.status);
    // Nothing lost: every delivery, all acknowledged in the end, was handled.
    expect(runs.filter((n) => n === 0)).toEqual([]);
    // A job whose handler finished just as Redis died may run again (its completion was not
    // recorded): at most the worker's concurrency of them.
    expect(duplicates).toBeLessThanOrEqual(setup.worker.concurrency);
    // The receivers recovered by themselves: the same processes, never restarted.
    for (const p of processes) expect(p.child.exitCode).toBeNull();
  }, 120_000);
});

// A Redis that keeps its connections open but stops answering (SIGSTOP): no connection error
// tells the client anything, so only the receiver's storeTimeoutMs (2 s) stands between the
// sender and a hung request.
describeRedisServer("a stalled Redis", () => {
  const run = randomBytes(4).toString("hex");
  let server: RedisServer;
  let setup: ReturnType<typeof configs>;
  let receiver: TestProcess | undefined;

  beforeAll(async () => {
    server = await startRedisServer();
    setup = configs(server.url, run);
    receiver = await spawnProcess("receiver-process", setup.receiver);
  }, 60_000);
  afterAll(async () => {
    await receiver?.stop();
    await removeBuild();
    await server?.destroy();
  }, 30_000);

  it("answers 503 within storeTimeoutMs while Redis hangs, and 2xx again once it resumes", async () => {
    const deliveries = await signDeliveries(setup.receiver.secret, 30, run);
    const url = `http://127.0.0.1:${receiver!.ready}/webhooks/stripe`;
    const before = await pool(
      deliveries.slice(0, 10).map((d) => () => post(url, d)),
      5,
    );
    expect(before.map((a) => a.status)).toEqual(before.map(() => 202));

    server.pause();
    const stalled = await pool(
      deliveries.slice(10, 20).map((d) => () => post(url, d)),
      5,
    );
    server.resume();
    const resumed = Date.now();

    // The sender retries what got no 2xx; the claims that ran late hold leases for lockMs (2 s).
    const answers = [...before, ...stalled];
    for (let round = 0; ; round++) {
      const acknowledged = new Set(answers.filter(is2xx).map((a) => a.id));
      const pending = deliveries.filter((d) => !acknowledged.has(d.id));
      if (pending.length === 0) break;
      if (round >= 40) throw new Error(`never acknowledged: ${JSON.stringify(tally(answers))}`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      answers.push(
        ...(await pool(
          pending.map((d) => () => post(url, d)),
          5,
        )),
      );
    }
    const queue = new Queue(setup.receiver.queueName, { connection: connectionOf(server.url) });
    const jobs = await queue.getJobCounts("waiting");
    await queue.close();
    console.log(
      `[redis-faults] stalled Redis: answers while it hung ${JSON.stringify(tally(stalled))}, ` +
        `slowest ${Math.max(...stalled.map((a) => a.answeredAt - a.sentAt))} ms; ` +
        `all acknowledged ${Date.now() - resumed} ms after it resumed; jobs ${JSON.stringify(jobs)}`,
    );

    for (const a of stalled) {
      expect(a.status, JSON.stringify(a)).toBe(503);
      expect(a.code).toBe("store_unavailable");
      // The receiver's bound answered the hung store, not the client's own timeout.
      expect(a.message).toContain("storeTimeoutMs");
    }
    // Every delivery was queued once: nothing acknowledged twice, nothing lost.
    expect(jobs.waiting).toBe(deliveries.length);
    expect(receiver!.child.exitCode).toBeNull();
  }, 90_000);
});

// At every default (handled-key lease 30 s, BullMQ lockDuration 30 s and stalled check 15 s as
// createWorker sets them): what a user who tuned nothing gets. The promise is "within a minute".
describeRedis("a worker killed mid-job, every timing at its default", () => {
  const run = randomBytes(4).toString("hex");
  const tuned = configs(REDIS_URL, run);
  const { lockMs: _lockMs, ...receiverDefaults } = tuned.receiver;
  const {
    lockMs: _workerLockMs,
    lockDuration: _lockDuration,
    stalledInterval: _stalledInterval,
    inFlightDelayMs: _inFlightDelayMs,
    ...workerDefaults
  } = tuned.worker;
  const setup = { ...tuned, receiver: receiverDefaults, worker: workerDefaults };
  let counts: Redis;
  let queue: Queue;
  const processes: TestProcess[] = [];

  beforeAll(async () => {
    counts = new Redis(REDIS_URL);
    queue = new Queue(setup.receiver.queueName, { connection: connectionOf(REDIS_URL) });
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await removeBuild();
    await queue?.obliterate({ force: true }).catch(() => {});
    await queue?.close();
    await deleteKeys(counts, `${setup.prefix}*`);
    await counts?.quit();
  }, 30_000);

  it("retries its jobs elsewhere within a minute and completes each once; nothing is lost", async () => {
    const [receiver, victim] = await Promise.all([
      spawnProcess("receiver-process", setup.receiver),
      // Its handlers start and never finish: four jobs held when it dies.
      spawnProcess("worker-process", { ...setup.worker, hang: true }),
    ]);
    processes.push(receiver!, victim!);
    const deliveries = await signDeliveries(setup.receiver.secret, 20, run);
    const url = `http://127.0.0.1:${receiver!.ready}/webhooks/stripe`;
    const answers = await pool(
      deliveries.map((d) => () => post(url, d)),
      4,
    );
    expect(answers.map((a) => a.status)).toEqual(deliveries.map(() => 202));

    await until(
      async () => (await counts.hlen(setup.worker.startedKey)) === setup.worker.concurrency,
      15_000,
      () => "the victim did not start its jobs",
    );
    const held = Object.keys(await counts.hgetall(setup.worker.startedKey));
    await victim!.kill();
    const killed = Date.now();

    processes.push(await spawnProcess("worker-process", setup.worker));
    await until(
      async () =>
        (await counts.hlen(setup.worker.handledKey)) === deliveries.length && (await settled(queue)),
      65_000, // the bound under test: within 60 s of the kill (plus polling slack)
      async () =>
        `handled ${await counts.hlen(setup.worker.handledKey)}; jobs ${JSON.stringify(await queue.getJobCounts())}`,
    );
    const handled = await counts.hgetall(setup.worker.handledKey);
    const started = await counts.hgetall(setup.worker.startedKey);
    const jobs = await queue.getJobCounts();
    console.log(
      `[redis-faults] worker SIGKILLed holding ${held.length} jobs; all ${deliveries.length} handled ${Date.now() - killed} ms later; ` +
        `runs started ${JSON.stringify(Object.values(started).reduce((s, n) => s + Number(n), 0))}, finished ` +
        `${Object.values(handled).reduce((s, n) => s + Number(n), 0)}; jobs ${JSON.stringify(jobs)}`,
    );

    expect(held).toHaveLength(setup.worker.concurrency);
    for (const d of deliveries) {
      expect(handled[d.id], d.id).toBe("1");
      // The killed worker's jobs were started twice (once there, once here) and finished once.
      expect(started[d.id], d.id).toBe(held.includes(d.id) ? "2" : "1");
    }
    expect(jobs.completed).toBe(deliveries.length);
    expect(jobs.failed).toBe(0);
  }, 120_000);
});
