/**
 * One process of the Redis + BullMQ soak (bench/soak-redis-bullmq.ts starts them; not run alone):
 *
 * - `--role receiver`: an Express app with a Stripe and a GitHub receiver, each with
 *   `redisStore` + `bullmqQueue` on one fail-fast connection (as packages/bullmq/README.md says),
 *   on a free loopback port; tells its parent the port, and its memory when asked.
 * - `--role worker`: `createWorker` for each receiver's queue; the handlers append each run's
 *   start and end (`start|done`, `scheme:id`, time, pid) to `--record FILE`, so the parent counts
 *   runs from the files even after this process is killed; tells its parent how many handlers
 *   are running when asked.
 */
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import type * as Bullmq from "@hookgate/bullmq";
import type * as Core from "@hookgate/core";
import type * as ExpressAdapter from "@hookgate/express";
import type * as RedisStore from "@hookgate/redis";
import { soakQueueNames } from "./soak-report.js";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1]!);
const redisPort = Number(args.get("redis-port"));
const role = args.get("role");

/** The built packages, resolved as an app in this workspace would (test/ depends on all of them). */
const fromTests = createRequire(new URL("../test/package.json", import.meta.url));
const core = fromTests("@hookgate/core") as typeof Core;
const { bullmqQueue, createWorker } = fromTests("@hookgate/bullmq") as typeof Bullmq;
const { redisStore } = fromTests("@hookgate/redis") as typeof RedisStore;

/** The parts of ioredis and BullMQ used here (their types live with the packages, not bench/). */
type RedisLike = RedisStore.RedisClientLike & {
  on(event: "error", listener: (error: Error) => void): unknown;
};
type RedisConstructor = new (options: Record<string, unknown>) => RedisLike;
interface QueueLike extends Bullmq.BullmqQueueLike {
  on(event: "error", listener: (error: Error) => void): unknown;
}
const ioredis = fromTests("ioredis") as RedisConstructor & { Redis?: RedisConstructor };
const Redis = ioredis.Redis ?? ioredis;
const { Queue } = fromTests("bullmq") as {
  Queue: new (name: string, options: { connection: RedisLike }) => QueueLike;
};
type Handler = (req: unknown, res: { json(body: unknown): unknown }, next: (error?: unknown) => void) => void;
interface ExpressApp {
  (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): void;
  post(path: string, handler: Handler): unknown;
  get(path: string, handler: Handler): unknown;
  use(handler: unknown): unknown;
}
type ExpressFactory = (() => ExpressApp) & { json(): unknown };

/** Both receivers, the same in every process: scheme, store (one prefix) and queue names. */
const queueNames = soakQueueNames;
const storePrefix = "soak:";
/** A fail-fast connection, as a receiver should have: while Redis is away, store calls fail at once. */
const failFast = () => {
  const client = new Redis({
    host: "127.0.0.1",
    port: redisPort,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  // Expected while Redis restarts; the parent counts the answers instead.
  client.on("error", () => {});
  return client;
};
const secrets = {
  stripe: process.env.SOAK_STRIPE_SECRET ?? "",
  github: process.env.SOAK_GITHUB_SECRET ?? "",
};

function receivers(options: {
  store: Core.IdempotencyStore;
  queues?: { stripe: Core.Queue; github: Core.Queue };
  lockMs?: number;
}) {
  const { store, queues, lockMs } = options;
  const more = (queue: Core.Queue | undefined) => ({
    ...(queue ? { queue } : {}),
    ...(lockMs ? { lockMs } : {}),
  });
  return {
    stripe: core.createReceiver({
      scheme: core.schemes.stripe({ secret: secrets.stripe }),
      store,
      ...more(queues?.stripe),
    }),
    github: core.createReceiver({
      scheme: core.schemes.github({ secret: secrets.github }),
      store,
      ...more(queues?.github),
    }),
  };
}

async function receiverRole(): Promise<void> {
  const { webhookMiddleware } = fromTests("@hookgate/express") as typeof ExpressAdapter;
  const express = fromTests("express") as ExpressFactory;
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;

  const connection = failFast();
  const queue = (name: string) => {
    const q = new Queue(name, { connection });
    q.on("error", () => {});
    return bullmqQueue({ queue: q });
  };
  const { stripe, github } = receivers({
    store: redisStore({ client: connection, prefix: storePrefix }),
    queues: { stripe: queue(queueNames.stripe), github: queue(queueNames.github) },
  });
  const app = express();
  app.post("/webhooks/stripe", webhookMiddleware(stripe) as unknown as Handler);
  app.post("/webhooks/github", webhookMiddleware(github) as unknown as Handler);
  app.use(express.json());
  const http = createServer(app);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));

  // RSS every second for the peak; after-GC samples when the parent asks.
  let peakRss = process.memoryUsage().rss;
  setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 1000).unref();
  process.on("message", (message) => {
    if (message !== "memory") return;
    gc();
    const { rss, heapUsed } = process.memoryUsage();
    peakRss = Math.max(peakRss, rss);
    process.send?.({ memory: { rss, heapUsed, peakRss } });
  });
  process.send?.({ port: (http.address() as AddressInfo).port });
}

async function workerRole(): Promise<void> {
  const record = args.get("record");
  if (!record) throw new Error("soak worker: --record FILE is required");
  // The handled-key lease: a job stuck in a killed worker is run elsewhere once it expires.
  const { stripe, github } = receivers({
    store: redisStore({ client: failFast(), prefix: storePrefix }),
    lockMs: 4000,
  });
  // Each run is written when it starts and when its effect is done (the `done` line is the effect
  // the soak counts); a run cut by a kill has a `start` and no `done`.
  let inFlight = 0;
  const handler = async (event: Core.WebhookEvent) => {
    const key = `${event.scheme}:${event.id}`;
    inFlight++;
    appendFileSync(record, `start\t${key}\t${Date.now()}\t${process.pid}\n`);
    // Some work (a downstream call), so a kill or a restart meets deliveries in their handlers.
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    appendFileSync(record, `done\t${key}\t${Date.now()}\t${process.pid}\n`);
    inFlight--;
  };
  // The parent kills this process when a handler is running.
  process.on("message", (message) => {
    if (message === "busy") process.send?.({ busy: inFlight });
  });
  stripe.onAny(handler);
  github.onAny(handler);
  for (const [receiver, name] of [
    [stripe, queueNames.stripe],
    [github, queueNames.github],
  ] as const) {
    const worker = createWorker(receiver, {
      name,
      // Options, not a client: BullMQ makes its own connections, which wait through an outage.
      connection: { host: "127.0.0.1", port: redisPort },
      concurrency: 4,
      // Short, so a killed worker's jobs come back within seconds in a short run.
      lockDuration: 5000,
      stalledInterval: 2000,
      inFlightDelayMs: 1000,
    });
    worker.on("error", () => {});
  }
  process.send?.({ ready: true });
}

if (role === "receiver") await receiverRole();
else if (role === "worker") await workerRole();
else {
  console.error("soak: run bench/soak.ts --engine redis-bullmq; this file is one of its processes");
  process.exit(2);
}
