// The ordering guard across processes: receivers (and workers) that share a real Redis store judge
// one resource's events against one watermark. Stripe `customer.subscription.updated` events of
// one subscription arrive t2, t1, t3 (by `created`): t1 is stale and its handler never runs.
import { randomBytes } from "node:crypto";
import { bullmqQueue, createWorker } from "@hookgate/bullmq";
import {
  createReceiver,
  findJournalEntry,
  type JournalStatus,
  memoryJournal,
  memoryQueue,
  type Queue,
  type ReceiverOptions,
  schemes,
  type WebhookEvent,
} from "@hookgate/core";
import { redisStore } from "@hookgate/redis";
import { Queue as BullQueue, type Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRedis, REDIS_URL } from "../support/services.js";

const run = randomBytes(4).toString("hex");
const scheme = schemes.stripe({ secret: "whsec_ordering_across_processes" });
const deliveries = [
  { id: "evt_t2", created: 1_700_000_200, status: "past_due" },
  { id: "evt_t1", created: 1_700_000_100, status: "active" },
  { id: "evt_t3", created: 1_700_000_300, status: "canceled" },
];

function request(event: (typeof deliveries)[number], subscription: string) {
  const rawBody = JSON.stringify({
    id: event.id,
    object: "event",
    type: "customer.subscription.updated",
    created: event.created,
    data: { object: { id: subscription, object: "subscription", status: event.status } },
  });
  return scheme.sign({ rawBody }).then((headers) => ({ method: "POST", headers, rawBody }));
}

const subscriptionOf = (event: WebhookEvent) =>
  (event.payload as { data: { object: { id: string } } }).data.object.id;

describeRedis("ordering across receivers sharing Redis", () => {
  let client: Redis;
  const { hostname, port } = new URL(REDIS_URL);
  const connection = { host: hostname, port: Number(port || 6379) };
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    const keys = await client.keys(`hookgate-test:ordering:${run}:*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });

  /** A receiver as one process would build it: its own store handle on the shared Redis. */
  function receiver(applied: string[], options: Partial<ReceiverOptions> = {}) {
    const store = redisStore({ client, prefix: `hookgate-test:ordering:${run}:` });
    const built = createReceiver({ scheme, store, ordering: { key: subscriptionOf }, ...options });
    built.on("customer.subscription.updated", (event) => {
      applied.push(event.id);
    });
    return built;
  }

  it("inline: the older event delivered to another receiver is stale", async () => {
    const applied: string[] = [];
    const [a, b] = [receiver(applied), receiver(applied)];
    const sub = `sub_inline_${run}`;
    const outcomes = [
      (await a.handle(await request(deliveries[0]!, sub))).outcome,
      (await b.handle(await request(deliveries[1]!, sub))).outcome,
      (await b.handle(await request(deliveries[2]!, sub))).outcome,
    ];
    expect(outcomes).toEqual(["handled", "stale", "handled"]);
    expect(applied).toEqual(["evt_t2", "evt_t3"]);
    // The sender's retry of the stale event is a duplicate on either receiver.
    expect((await a.handle(await request(deliveries[1]!, sub))).outcome).toBe("duplicate");
    expect(applied).toEqual(["evt_t2", "evt_t3"]);
  });

  /** Sends t2, t1, t3 through `web` (202 each), then waits for the worker's journal verdicts. */
  async function throughQueue(
    web: ReturnType<typeof receiver>,
    start: () => void,
    journal: ReturnType<typeof memoryJournal>,
    sub: string,
  ) {
    for (const delivery of deliveries)
      expect((await web.handle(await request(delivery, sub))).status).toBe(202);
    start();
    const statuses: Record<string, JournalStatus | undefined> = {};
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      for (const { id } of deliveries) statuses[id] = (await findJournalEntry(journal, id))?.status;
      if (Object.values(statuses).every((s) => s === "handled" || s === "stale")) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return statuses;
  }

  it("memoryQueue: judged in the worker, the stale job resolves and its row shows stale", async () => {
    const applied: string[] = [];
    const journal = memoryJournal();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const queue = memoryQueue({ concurrency: 1 });
    const web = receiver(applied, { queue, journal, namespace: "memory" });
    // The first job waits until all three are enqueued, so the worker sees them in arrival order.
    web.on("customer.subscription.updated", () => gate);
    const statuses = await throughQueue(web, release, journal, `sub_memory_${run}`);
    await queue.onIdle();
    expect(statuses).toEqual({ evt_t2: "handled", evt_t1: "stale", evt_t3: "handled" });
    expect(applied).toEqual(["evt_t2", "evt_t3"]);
  });

  it("BullMQ on Redis: a worker process's receiver judges order when it applies the job", async () => {
    const applied: string[] = [];
    const journal = memoryJournal();
    const name = `hookgate-ordering-${run}`;
    const bull = new BullQueue(name, { connection });
    cleanups.push(async () => {
      await bull.obliterate({ force: true });
      await bull.close();
    });
    const queue: Queue = bullmqQueue({ queue: bull });
    // The web process only enqueues; the worker process has a receiver of its own on the same Redis.
    const web = receiver([], { queue, journal, namespace: "bullmq" });
    const worker = receiver(applied, { queue, journal, namespace: "bullmq" });
    let consumer: Worker | undefined;
    const statuses = await throughQueue(
      web,
      () => {
        consumer = createWorker(worker, { name, connection, verify: true, concurrency: 1 });
      },
      journal,
      `sub_bullmq_${run}`,
    );
    await consumer?.close();
    expect(statuses).toEqual({ evt_t2: "handled", evt_t1: "stale", evt_t3: "handled" });
    expect(applied).toEqual(["evt_t2", "evt_t3"]);
    const counts = await bull.getJobCounts("completed", "failed", "delayed", "waiting");
    expect(counts).toMatchObject({ completed: 3, failed: 0, delayed: 0, waiting: 0 });
  });
});
