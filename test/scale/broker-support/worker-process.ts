// A worker instance over the receivers' broker and store. Handlers record each run in Redis, so the
// test can tell runs started from runs finished. Prints `ready`.
import { createReceiver, schemes } from "@hookgate/core";
import { redisStore } from "@hookgate/redis";
import { Redis } from "ioredis";
import { readConfig, type WorkerConfig } from "./config.js";
import { brokerWorker } from "./connect-broker.js";

const config = readConfig<WorkerConfig>();
const client = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
client.on("error", () => {});
if (client.status !== "ready") await new Promise((resolve) => client.once("ready", resolve));
const counts = new Redis(config.redisUrl);

const receiver = createReceiver({
  scheme: schemes.stripe({ secret: config.secret }),
  store: redisStore({ client, prefix: config.prefix }),
  lockMs: config.lockMs,
});
receiver.onAny(async (event) => {
  await counts.hincrby(config.startedKey, event.id, 1);
  if (config.hang) await new Promise(() => {});
  await new Promise((resolve) => setTimeout(resolve, config.handlerMs));
  await counts.hincrby(config.handledKey, event.id, 1);
});

const worker = await brokerWorker(receiver, config);
console.log("ready");

process.on("SIGTERM", () => {
  void worker.close().finally(() => process.exit(0));
});
