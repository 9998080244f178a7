// How many deliveries the broker still holds for the workers: ready, unacknowledged or waiting
// in a retry queue.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect as connectNats } from "@nats-io/transport-node";
import amqp from "amqplib";
import type { Engine } from "./config.js";

export interface Backlog {
  count(): Promise<number>;
  /** Creates the queue's topology once, before the receivers start. */
  setup(): Promise<void>;
  /** Deletes what the run created. */
  remove(): Promise<void>;
  close(): Promise<void>;
}

export async function queueBacklog(
  engine: Engine,
  url: string,
  name: string,
  retryDelays: number[],
): Promise<Backlog> {
  if (engine === "amqp") {
    const { amqpQueue } = await import("@hookgate/amqp");
    const connection = await amqp.connect(url, { recovery: { initialDelay: 200, maxDelay: 1000 } });
    connection.on("error", () => {});
    const queues = [name, ...retryDelays.map((ms) => `${name}.retry.${ms}`)];
    const each = async (fn: (channel: amqp.Channel, queue: string) => Promise<unknown>) => {
      const channel = await connection.createChannel();
      channel.on("error", () => {});
      try {
        for (const queue of [...queues, `${name}.dead-letters`]) await fn(channel, queue);
      } finally {
        await channel.close().catch(() => {});
      }
    };
    return {
      setup: () => amqpQueue({ connection, name }).setup(),
      async count() {
        let total = 0;
        // A retry queue exists once a worker used it; checkQueue on a missing one closes the channel.
        for (const queue of queues) {
          const channel = await connection.createChannel();
          channel.on("error", () => {});
          const found = await channel.checkQueue(queue).catch(() => undefined);
          total += found ? found.messageCount : 0;
          await channel.close().catch(() => {});
        }
        return total;
      },
      remove: () => each((channel, queue) => channel.deleteQueue(queue)),
      close: () => connection.close(),
    };
  }
  const { natsQueue } = await import("@hookgate/nats");
  const connection = await connectNats({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  return {
    setup: () => natsQueue({ connection, name }).setup(),
    async count() {
      const jsm = await jetstreamManager(connection);
      const info = await jsm.consumers.info(name, "hookgate-workers");
      return info.num_pending + info.num_ack_pending;
    },
    remove: async () => {
      await (await jetstreamManager(connection)).streams.delete(name);
    },
    close: () => connection.close(),
  };
}
