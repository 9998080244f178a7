import amqp from "amqplib";
import { Redis } from "ioredis";

/** Where deliveries are queued: one RabbitMQ shared by every receiver and worker. */
export const amqpUrl = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
/** Where deliveries are claimed: one Redis shared by every receiver and worker. */
export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * A RabbitMQ connection that reconnects by itself after a broker restart (`recovery`): the queue
 * and the worker open their channels again on it. While RabbitMQ is away, deliveries are answered
 * 503 and the sender retries.
 */
export async function connectRabbitmq(url = amqpUrl) {
  const connection = await amqp.connect(url, { recovery: { maxDelay: 5000 } });
  connection.on("error", (error) => console.error(`rabbitmq: ${error.message}`));
  connection.on("disconnect", (error) => console.error(`rabbitmq: disconnected (${error.message})`));
  return connection;
}

/** The Redis connection for the store: fails fast while Redis is away (503 at once), reconnects by itself. */
export function connectRedis(url = redisUrl): Redis {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  client.on("error", (error) => console.error(`redis: ${error.message}`));
  return client;
}
