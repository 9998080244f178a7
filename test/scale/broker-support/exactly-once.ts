// The exactly-once run with faults, shared by the RabbitMQ and NATS scale tests: 4 receiver
// processes and 2 worker processes share a Redis store and one broker queue; 2,000 deliveries are
// each sent 3 times at once to different receivers; mid-run a third worker, whose handlers start
// and never finish, is SIGKILLed holding jobs, and the broker is restarted. Every delivery must be
// handled exactly once. (A worker killed after a handler finished but before the store recorded
// it would run that handler again: at-least-once is all any queue offers in that instant.)
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REDIS_URL } from "../../support/services.js";
import { type Answer, pool, post, signDeliveries, tally, until } from "../redis-support/send.js";
import type { Engine, ReceiverConfig, WorkerConfig } from "./config.js";
import { type Backlog, queueBacklog } from "./queue-backlog.js";
import { ensureBroker, restartBroker } from "./restart-broker.js";
import { removeBuild, spawnProcess, type TestProcess } from "./spawn-process.js";

const DELIVERIES = 2000;
const COPIES = 3;
const RECEIVERS = 4;
const WORKERS = 2;

export function exactlyOnceWithFaults(engine: Engine, brokerUrl: string): void {
  const run = randomBytes(4).toString("hex");
  const prefix = `hookgate-test:scale-${engine}:${run}:`;
  const receiverConfig: ReceiverConfig = {
    engine,
    brokerUrl,
    redisUrl: REDIS_URL,
    queueName: `hookgate-test-scale-${engine}-${run}`,
    prefix,
    secret: `whsec_scale_${run}`,
    lockMs: 10_000,
  };
  const workerConfig: WorkerConfig = {
    ...receiverConfig,
    handledKey: `${prefix}runs:handled`,
    startedKey: `${prefix}runs:started`,
    concurrency: 16,
    inFlightDelayMs: 1000,
    handlerMs: 5,
  };
  const processes: TestProcess[] = [];
  let urls: string[] = [];
  let redis: Redis;
  let backlog: Backlog;

  beforeAll(async () => {
    await ensureBroker(engine, brokerUrl);
    redis = new Redis(REDIS_URL);
    backlog = await queueBacklog(engine, brokerUrl, receiverConfig.queueName, [
      workerConfig.inFlightDelayMs,
      1000,
      2000,
      4000,
      8000,
    ]);
    await backlog.setup();
    const started = await Promise.all([
      ...Array.from({ length: RECEIVERS }, () => spawnProcess("receiver-process", receiverConfig)),
      ...Array.from({ length: WORKERS }, () => spawnProcess("worker-process", workerConfig)),
    ]);
    processes.push(...started);
    urls = started.slice(0, RECEIVERS).map((p) => `http://127.0.0.1:${p.ready}/webhooks/stripe`);
  }, 90_000);

  afterAll(async () => {
    // The broker comes back whatever happened to the test: others share it.
    await ensureBroker(engine, brokerUrl).catch((error) => console.error(error));
    await Promise.all(processes.map((p) => p.stop()));
    await removeBuild();
    await backlog?.remove().catch(() => {});
    await backlog?.close().catch(() => {});
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await redis?.quit();
  }, 60_000);

  /** The faults, in order, while deliveries are sent and handled. */
  async function faults(): Promise<{ killedHolding: string[]; outageMs: number }> {
    const handled = () => redis.hlen(workerConfig.handledKey);
    await until(
      async () => (await handled()) >= 400,
      120_000,
      () => "400 deliveries were never handled",
    );
    // The victim joins mid-run, takes its share of jobs, and is killed in them.
    const victimConfig = { ...workerConfig, startedKey: `${prefix}runs:victim`, hang: true };
    const victim = await spawnProcess("worker-process", victimConfig);
    processes.push(victim);
    await until(
      async () => (await redis.hlen(victimConfig.startedKey)) >= workerConfig.concurrency,
      60_000,
      () => "the victim never held a full prefetch of jobs",
    );
    await victim.kill();
    const killedHolding = Object.keys(await redis.hgetall(victimConfig.startedKey));
    await until(
      async () => (await handled()) >= 1000,
      120_000,
      () => "1000 deliveries were never handled",
    );
    const down = Date.now();
    await restartBroker(engine, brokerUrl, 2000);
    return { killedHolding, outageMs: Date.now() - down };
  }

  it(`handles ${DELIVERIES} deliveries × ${COPIES} copies exactly once, through a killed worker and a broker restart`, async () => {
    const deliveries = await signDeliveries(receiverConfig.secret, DELIVERIES, run);
    const started = Date.now();
    const faulted = faults();
    faulted.catch(() => {});
    const answers: Answer[] = [];
    let pending = deliveries;
    let resends = 0;
    // A sender resends what no copy got a 2xx for (the broker's outage answers 503).
    for (let round = 0; pending.length > 0 && round < 60; round++) {
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
      if (round > 0) resends += pending.length;
      pending = pending.filter((_, i) => !results[i]!.some((a) => a.status >= 200 && a.status < 300));
    }
    const sentMs = Date.now() - started;
    const { killedHolding, outageMs } = await faulted;
    expect(pending.map((d) => d.id)).toEqual([]);

    await until(
      async () => (await redis.hlen(workerConfig.handledKey)) >= DELIVERIES && (await backlog.count()) === 0,
      120_000,
      async () => `handled ${await redis.hlen(workerConfig.handledKey)}; backlog ${await backlog.count()}`,
    );
    const handledMs = Date.now() - started;
    // Anything that would run twice (a redelivered message) has had its chance by now.
    await new Promise((resolve) => setTimeout(resolve, 3000));

    const handled = await redis.hgetall(workerConfig.handledKey);
    const startedRuns = await redis.hgetall(workerConfig.startedKey);
    const runs = Object.values(handled).map(Number);
    const starts = Object.values(startedRuns).map(Number);
    console.log(
      `[${engine}] ${DELIVERIES} deliveries × ${COPIES} copies to ${RECEIVERS} receivers, ${WORKERS} workers: ` +
        `answers ${JSON.stringify(tally(answers))}; resent ${resends}; ` +
        `a worker SIGKILLed holding ${killedHolding.length} jobs; broker down ${outageMs} ms; ` +
        `handled ${runs.length} distinct, ${runs.reduce((s, n) => s + n, 0)} handler runs finished ` +
        `(${starts.reduce((s, n) => s + n, 0)} started); sent in ${sentMs} ms, all handled after ${handledMs} ms`,
    );

    for (const delivery of deliveries) expect(handled[delivery.id], delivery.id).toBe("1");
    expect(Object.keys(handled)).toHaveLength(DELIVERIES);
    // The victim's jobs ran again elsewhere, once; no other delivery was started twice.
    expect(killedHolding).toHaveLength(workerConfig.concurrency);
    for (const id of killedHolding) expect(startedRuns[id], id).toBe("1");
    expect(starts.filter((n) => n > 1)).toEqual([]);
    for (const a of answers) {
      expect([200, 202, 409, 503], `${a.status} ${a.code ?? ""}`).toContain(a.status);
      if (a.status === 503) expect(["store_unavailable", "queue_unavailable"]).toContain(a.code);
    }
  }, 420_000);
}
