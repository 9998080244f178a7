import { connect } from "@nats-io/transport-node";
import { Redis } from "ioredis";

/** Where deliveries are queued: one NATS server (or cluster) with JetStream, shared by every instance. */
export const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
/** Where deliveries are claimed: one Redis shared by every receiver and worker. */
export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * A NATS connection that never stops reconnecting: after a server restart the queue publishes and
 * the worker consumes again. While NATS is away, deliveries are answered 503 and the sender retries.
 */
export function connectNats(url = natsUrl) {
  return connect({ servers: url, maxReconnectAttempts: -1 });
}

/** The Redis connection for the store: fails fast while Redis is away (503 at once), reconnects by itself. */
export function connectRedis(url = redisUrl): Redis {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  client.on("error", (error) => console.error(`redis: ${error.message}`));
  return client;
}
