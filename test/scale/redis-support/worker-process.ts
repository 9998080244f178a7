// A worker instance: createWorker over the receivers' queue and store. Handlers record each run in
// a second Redis (counts), so the test can tell runs started from runs finished. Prints `ready`.
import { createWorker } from "@hookgate/bullmq";
import { createReceiver, schemes } from "@hookgate/core";
import { redisStore } from "@hookgate/redis";
import { Redis } from "ioredis";
import { readConfig, type WorkerConfig } from "./scale-config.js";

const config = readConfig<WorkerConfig>();
const storeClient = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
storeClient.on("error", () => {});
const counts = new Redis(config.countsUrl);

const receiver = createReceiver({
  scheme: schemes.stripe({ secret: config.secret }),
  store: redisStore({ client: storeClient, prefix: config.prefix }),
  ...(config.lockMs !== undefined ? { lockMs: config.lockMs } : {}),
});
receiver.onAny(async (event) => {
  await counts.hincrby(config.startedKey, event.id, 1);
  if (config.hang) await new Promise(() => {});
  await counts.hincrby(config.handledKey, event.id, 1);
});

const { hostname, port } = new URL(config.redisUrl);
const worker = createWorker(receiver, {
  name: config.queueName,
  connection: { host: hostname, port: Number(port) },
  concurrency: config.concurrency,
  ...(config.lockDuration !== undefined ? { lockDuration: config.lockDuration } : {}),
  ...(config.stalledInterval !== undefined ? { stalledInterval: config.stalledInterval } : {}),
  // A killed worker's jobs, and jobs caught by a Redis outage, may stall more than once here.
  maxStalledCount: 10,
  ...(config.inFlightDelayMs !== undefined ? { inFlightDelayMs: config.inFlightDelayMs } : {}),
});
worker.on("error", () => {});
await worker.waitUntilReady();
console.log("ready");

process.on("SIGTERM", () => {
  void worker.close().finally(() => process.exit(0));
});
