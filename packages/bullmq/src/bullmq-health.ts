import { WebhookError } from "@hookgate/core";
import { checkOption, type QueueHealth } from "@hookgate/core/kit";
import type { Queue as BullmqQueue } from "bullmq";

/** The part of a BullMQ `Queue` that {@link bullmqHealth} reads. */
export type BullmqHealthQueue = Pick<
  BullmqQueue,
  "name" | "opts" | "getWorkers" | "getJobCounts" | "getJobs" | "isPaused"
>;

/** Options for {@link bullmqHealth}. */
export interface BullmqHealthOptions {
  /**
   * A job that has waited this long is not being consumed: unhealthy even with workers connected
   * (they consume another prefix, are stuck, or are too few).
   * @default 60000
   */
  maxWaitingMs?: number;
  /** The clock, for the waiting job's age. @default () => Date.now() */
  now?: () => number;
}

/** What {@link bullmqHealth} found. */
export interface BullmqHealth extends QueueHealth {
  /** True when a worker consumes the queue and no job has waited `maxWaitingMs`. */
  ok: boolean;
  /** The queue's name. */
  queue: string;
  /** The Redis database the queue's connection uses, where it can be told. */
  database?: number | undefined;
  /**
   * Workers consuming this queue on the same Redis database; `undefined` where Redis does not
   * list its clients (some managed services refuse `CLIENT LIST`).
   */
  workers: number | undefined;
  /** Workers for a queue of this name connected to another database: a mismatched `REDIS_URL`. */
  workersElsewhere: number;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  paused: boolean;
  /** How long the oldest waiting job has waited, in ms. */
  oldestWaitingMs?: number | undefined;
  /** Why it is not ok, in words that say what to do; absent when ok. */
  problem?: string | undefined;
}

/** The Redis database a BullMQ connection (an ioredis instance or its options) selects. */
function databaseOf(connection: unknown): number | undefined {
  const c = connection as { options?: { db?: unknown }; db?: unknown } | undefined;
  if (!c || typeof c !== "object") return undefined;
  const db = c.options && typeof c.options === "object" ? (c.options.db ?? 0) : (c.db ?? 0);
  return typeof db === "number" ? db : undefined;
}

/**
 * Checks that the receiver's BullMQ queue is consumed: at least one worker is connected to it
 * (same queue name, prefix and Redis database), the queue is not paused, and no job has waited
 * `maxWaitingMs`. A receiver whose workers were started with another queue name, another
 * `REDIS_URL` database or none at all answers 202 to deliveries nobody handles; this is what a
 * readiness probe or a deploy check calls to find out. Never throws for an unhealthy queue: the
 * result says why (`problem`); a Redis that cannot be reached rejects with `queue_unavailable`.
 *
 * @example
 * app.get("/healthz", async (_req, res) => {
 *   const health = await bullmqHealth(queue);
 *   res.status(health.ok ? 200 : 503).json(health);
 * });
 */
export async function bullmqHealth(
  queue: BullmqHealthQueue,
  options: BullmqHealthOptions = {},
): Promise<BullmqHealth> {
  checkOption.object("bullmqHealth", options);
  const maxWaitingMs = checkOption.whole("bullmqHealth option maxWaitingMs", options.maxWaitingMs, 60_000, 0);
  const now = options.now ?? Date.now;
  const database = databaseOf(queue.opts.connection);
  let counts: Record<string, number>;
  let paused: boolean;
  let oldest: { timestamp?: number } | undefined;
  let clients: Array<Record<string, string>>;
  try {
    [counts, paused, [oldest], clients] = await Promise.all([
      queue.getJobCounts("wait", "active", "delayed", "failed"),
      queue.isPaused(),
      queue.getJobs(["wait"], 0, 0, true),
      queue.getWorkers(),
    ]);
  } catch (cause) {
    throw new WebhookError(
      "queue_unavailable",
      `hookgate: cannot read BullMQ queue "${queue.name}": ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  // BullMQ lists the workers of every database under this name: only those on the queue's count.
  const listed = clients.every((client) => client.addr !== undefined);
  const here = clients.filter((client) => database === undefined || Number(client.db ?? 0) === database);
  const workers = listed ? here.length : undefined;
  const workersElsewhere = listed ? clients.length - here.length : 0;
  const oldestWaitingMs = oldest?.timestamp === undefined ? undefined : Math.max(0, now() - oldest.timestamp);
  const health: BullmqHealth = {
    ok: true,
    queue: queue.name,
    database,
    workers,
    workersElsewhere,
    waiting: counts.wait ?? 0,
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
    paused,
    oldestWaitingMs,
  };
  const where = `queue "${queue.name}"${database === undefined ? "" : ` (Redis database ${database})`}`;
  if (workers === 0) {
    const elsewhere = workersElsewhere
      ? ` ${workersElsewhere} worker(s) for a queue of that name use another Redis database: build the worker's connection from the same REDIS_URL (database, user and TLS included).`
      : ` Start createWorker(receiver, { name: "${queue.name}", connection }) with the receiver's REDIS_URL, or check the name the workers consume.`;
    health.problem = `hookgate: no BullMQ worker consumes ${where}; deliveries are accepted (202) and not handled.${elsewhere}`;
  } else if (paused) {
    health.problem = `hookgate: BullMQ ${where} is paused; resume it (queue.resume()) or its deliveries wait`;
  } else if (oldestWaitingMs !== undefined && oldestWaitingMs >= maxWaitingMs) {
    health.problem = `hookgate: a job has waited ${Math.round(oldestWaitingMs / 1000)} s in BullMQ ${where} (more than maxWaitingMs ${maxWaitingMs} ms): its workers are stuck, too few, or use another prefix`;
  }
  health.ok = health.problem === undefined;
  return health;
}
