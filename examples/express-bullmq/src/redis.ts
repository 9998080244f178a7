import { Redis } from "ioredis";

/** Where the store and the queue live: one Redis (or cluster) shared by every instance. */
export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * The receiver's connection, shared by its store and its queue. It fails fast while Redis is
 * away — no offline queue, one retry — so a delivery is answered 503 (the sender retries) at
 * once instead of waiting; it reconnects by itself.
 */
export function receiverConnection(): Redis {
  const connection = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  connection.on("error", (error) => console.error(`redis: ${error.message}`));
  return connection;
}
