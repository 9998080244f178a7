// A receiver instance: Express + @hookgate/express, a Redis store and a BullMQ hand-off, set up
// the way the package READMEs recommend. Prints `ready <port>` once it listens.
import type { AddressInfo } from "node:net";
import { bullmqQueue } from "@hookgate/bullmq";
import { createReceiver, schemes } from "@hookgate/core";
import { webhookMiddleware } from "@hookgate/express";
import { redisStore } from "@hookgate/redis";
import { Queue } from "bullmq";
import express from "express";
import { Redis } from "ioredis";
import { type ReceiverConfig, readConfig } from "./scale-config.js";

const config = readConfig<ReceiverConfig>();

// Fail fast while Redis is away: no offline queue, one retry, so a store call or an add answers
// (with an error → 503) instead of waiting for a reconnection.
const connection = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
connection.on("error", () => {}); // reconnection is automatic; the receiver answers 503 meanwhile
const queue = new Queue(config.queueName, { connection });
queue.on("error", () => {});

const receiver = createReceiver({
  scheme: schemes.stripe({ secret: config.secret }),
  store: redisStore({ client: connection, prefix: config.prefix }),
  queue: bullmqQueue({ queue }),
  ...(config.lockMs !== undefined ? { lockMs: config.lockMs } : {}),
});

// Without an offline queue, a command sent before the connection is up fails at once: listen
// only once Redis is reachable, as a readiness probe would.
if (connection.status !== "ready") await new Promise((resolve) => connection.once("ready", resolve));

const app = express();
app.post("/webhooks/stripe", webhookMiddleware(receiver));
const server = app.listen(0, "127.0.0.1", () => {
  console.log(`ready ${(server.address() as AddressInfo).port}`);
});
// Longer than the sender's idle connections live, as behind a load balancer: a busy machine must
// not close a kept-alive connection just as the sender reuses it.
server.keepAliveTimeout = 65_000;

process.on("SIGTERM", () => {
  server.close();
  void queue.close().finally(() => connection.quit().finally(() => process.exit(0)));
});
