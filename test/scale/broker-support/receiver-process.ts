// A receiver instance: Express + @hookgate/express, a Redis store and a RabbitMQ or NATS hand-off.
// Prints `ready <port>` once it listens.
import type { AddressInfo } from "node:net";
import { createReceiver, schemes } from "@hookgate/core";
import { webhookMiddleware } from "@hookgate/express";
import { redisStore } from "@hookgate/redis";
import express from "express";
import { Redis } from "ioredis";
import { type ReceiverConfig, readConfig } from "./config.js";
import { brokerQueue } from "./connect-broker.js";

const config = readConfig<ReceiverConfig>();
const client = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
client.on("error", () => {});
if (client.status !== "ready") await new Promise((resolve) => client.once("ready", resolve));
const store = redisStore({ client, prefix: config.prefix });

const receiver = createReceiver({
  scheme: schemes.stripe({ secret: config.secret }),
  store,
  queue: await brokerQueue(config, store),
  lockMs: config.lockMs,
  queueTimeoutMs: 3000,
});

const app = express();
app.post("/webhooks/stripe", webhookMiddleware(receiver));
const server = app.listen(0, "127.0.0.1", () => {
  console.log(`ready ${(server.address() as AddressInfo).port}`);
});
server.keepAliveTimeout = 65_000;

process.on("SIGTERM", () => {
  server.close();
  process.exit(0);
});
