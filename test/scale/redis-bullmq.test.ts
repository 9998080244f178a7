import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRedis, REDIS_URL } from "../support/services.js";
import type { ReceiverConfig, WorkerConfig } from "./redis-support/scale-config.js";
import { type Answer, pool, post, signDeliveries, tally, until } from "./redis-support/send.js";
import { removeBuild, spawnProcess, type TestProcess } from "./redis-support/spawn-process.js";

const DELIVERIES = 2000;
const COPIES = 3;
const RECEIVERS = 4;
const WORKERS = 2;

describeRedis("exactly once across processes: Redis store + BullMQ", () => {
  const run = randomBytes(4).toString("hex");
  const secret = `whsec_scale_${run}`;
  const prefix = `hookgate-test:scale:${run}:`;
  const receiverConfig: ReceiverConfig = {
    redisUrl: REDIS_URL,
    queueName: `hookgate-test-scale-${run}`,
    prefix,
    secret,
    lockMs: 30_000,
  };
  const workerConfig: WorkerConfig = {
    ...receiverConfig,
    countsUrl: REDIS_URL,
    handledKey: `${prefix}runs:handled`,
    startedKey: `${prefix}runs:started`,
    concurrency: 16,
    lockDuration: 30_000,
    stalledInterval: 30_000,
    inFlightDelayMs: 1000,
  };
  const processes: TestProcess[] = [];
  let urls: string[] = [];
  let redis: Redis;
  let queue: Queue;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    queue = new Queue(receiverConfig.queueName, {
      connection: { host: "127.0.0.1", port: Number(new URL(REDIS_URL).port || 6379) },
    });
    const started = await Promise.all([
      ...Array.from({ length: RECEIVERS }, () => spawnProcess("receiver-process", receiverConfig)),
      ...Array.from({ length: WORKERS }, () => spawnProcess("worker-process", workerConfig)),
    ]);
    processes.push(...started);
    urls = started.slice(0, RECEIVERS).map((p) => `http://127.0.0.1:${p.ready}/webhooks/stripe`);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await removeBuild();
    await queue?.obliterate({ force: true }).catch(() => {});
    await queue?.close();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await redis?.quit();
  }, 30_000);

  it(`handles ${DELIVERIES} deliveries, each sent ${COPIES} times at once to different instances, exactly once`, async () => {
    const deliveries = await signDeliveries(secret, DELIVERIES, run);
    const started = Date.now();
    const answers: Answer[] = [];
    let pending = deliveries;
    let resends = 0;
    // A sender resends what no copy got a 2xx for (in this run, expected never).
    for (let round = 0; pending.length > 0 && round < 5; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      const results = await pool(
        pending.map(
          (delivery, i) => () =>
            Promise.all(
              Array.from({ length: COPIES }, (_, copy) => post(urls[(i + copy) % RECEIVERS]!, delivery)),
            ),
        ),
        16,
      );
      answers.push(...results.flat());
      const next = pending.filter((_, i) => !results[i]!.some((a) => a.status >= 200 && a.status < 300));
      if (round > 0) resends += pending.length;
      pending = next;
    }
    const sentMs = Date.now() - started;
    expect(pending.map((d) => d.id)).toEqual([]);

    await until(
      async () => (await redis.hlen(workerConfig.handledKey)) >= DELIVERIES && (await settled(queue)),
      45_000,
      async () =>
        `handled ${await redis.hlen(workerConfig.handledKey)}; jobs ${JSON.stringify(await queue.getJobCounts())}`,
    );
    const handledMs = Date.now() - started;

    const handled = await redis.hgetall(workerConfig.handledKey);
    const startedRuns = await redis.hgetall(workerConfig.startedKey);
    const accepted = answers.filter((a) => a.status === 202);
    const acceptedPerDelivery = new Map<string, number>();
    for (const a of accepted) acceptedPerDelivery.set(a.id, (acceptedPerDelivery.get(a.id) ?? 0) + 1);
    const runs = Object.values(handled).map(Number);
    const jobs = await queue.getJobCounts();

    console.log(
      `[redis-bullmq] ${DELIVERIES} deliveries × ${COPIES} copies to ${RECEIVERS} receivers, ${WORKERS} workers: ` +
        `answers ${JSON.stringify(tally(answers))}; resent ${resends}; ` +
        `handled ${Object.keys(handled).length} distinct, ${runs.reduce((s, n) => s + n, 0)} handler runs, ` +
        `max runs per delivery ${Math.max(...runs)}; jobs ${JSON.stringify(jobs)}; ` +
        `sent in ${sentMs} ms, all handled after ${handledMs} ms`,
    );

    // Every delivery's handlers ran exactly once.
    for (const delivery of deliveries) {
      expect(handled[delivery.id], delivery.id).toBe("1");
      expect(startedRuns[delivery.id], delivery.id).toBe("1");
    }
    expect(Object.keys(handled)).toHaveLength(DELIVERIES);
    // The other copies were answered as duplicates (200) or as in flight elsewhere (409). A 503 is
    // allowed only as overload on a busy machine (a store call past storeTimeoutMs), which the
    // sender retries; a delivery that met none was accepted (202) by exactly one instance.
    const overloaded = new Set<string>();
    for (const a of answers) {
      expect([200, 202, 409, 503], `${a.status} ${a.code ?? ""}`).toContain(a.status);
      if (a.status === 503) {
        expect(["store_unavailable", "queue_unavailable"]).toContain(a.code);
        overloaded.add(a.id);
      }
    }
    for (const delivery of deliveries) {
      if (!overloaded.has(delivery.id)) expect(acceptedPerDelivery.get(delivery.id), delivery.id).toBe(1);
    }
    expect(overloaded.size).toBeLessThan(DELIVERIES / 10);
    expect(jobs.failed).toBe(0);
  }, 120_000);
});

async function settled(queue: Queue): Promise<boolean> {
  const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
  return Object.values(counts).every((n) => n === 0);
}
