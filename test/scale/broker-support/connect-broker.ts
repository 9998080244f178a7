// The receivers' and workers' broker connections, reconnecting after the broker restarts.
import { amqpQueue, createWorker as createAmqpWorker } from "@hookgate/amqp";
import type { IdempotencyStore, Queue, Receiver } from "@hookgate/core";
import { createWorker as createNatsWorker, natsQueue } from "@hookgate/nats";
import { connect as connectNats } from "@nats-io/transport-node";
import amqp from "amqplib";
import type { ReceiverConfig, WorkerConfig } from "./config.js";

async function amqpConnection(url: string) {
  const connection = await amqp.connect(url, { recovery: { initialDelay: 200, maxDelay: 1000 } });
  connection.on("error", () => {});
  return connection;
}

function natsConnection(url: string) {
  return connectNats({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}

/** The receiver's queue on the configured broker. */
export async function brokerQueue(config: ReceiverConfig, store: IdempotencyStore): Promise<Queue> {
  if (config.engine === "amqp")
    return amqpQueue({ connection: await amqpConnection(config.brokerUrl), name: config.queueName, store });
  return natsQueue({ connection: await natsConnection(config.brokerUrl), name: config.queueName });
}

/** A worker on the configured broker; resolves once it consumes. */
export async function brokerWorker(
  receiver: Receiver,
  config: WorkerConfig,
): Promise<{ close(): Promise<void> }> {
  const common = {
    name: config.queueName,
    concurrency: config.concurrency,
    inFlightDelayMs: config.inFlightDelayMs,
  };
  if (config.engine === "amqp")
    return createAmqpWorker(receiver, { connection: await amqpConnection(config.brokerUrl), ...common });
  return createNatsWorker(receiver, { connection: await natsConnection(config.brokerUrl), ...common });
}
