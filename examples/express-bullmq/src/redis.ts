import { Redis } from "ioredis";

/** Extra connection options (tests pass `lazyConnect`). */
type Extra = { lazyConnect?: boolean };

/**
 * Where the store and the queue live: one Redis (or cluster) shared by every instance. Receivers
 * and workers both connect with this URL as is — its database (`/2`), user and password, and TLS
 * (`rediss://`) included — so they always meet on the same queue.
 */
export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * The receiver's connection, shared by its store and its queue. It fails fast while Redis is
 * away — no offline queue, one retry — so a delivery is answered 503 (the sender retries) at
 * once instead of waiting; it reconnects by itself.
 */
export function receiverConnection(url = redisUrl, options: Extra = {}): Redis {
  const connection = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, ...options });
  connection.on("error", (error) => console.error(`redis: ${error.message}`));
  return connection;
}

/**
 * A worker's connection, from the same URL: BullMQ requires `maxRetriesPerRequest: null` here,
 * so a worker waits through an outage and resumes instead of failing its jobs.
 */
export function workerConnection(url = redisUrl, options: Extra = {}): Redis {
  const connection = new Redis(url, { maxRetriesPerRequest: null, ...options });
  connection.on("error", (error) => console.error(`redis (worker): ${error.message}`));
  return connection;
}
