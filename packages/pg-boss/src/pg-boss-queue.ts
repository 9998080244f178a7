import { type Queue, WebhookError } from "@hookgate/core";
import { checkOption } from "@hookgate/core/kit";
import type PgBoss from "pg-boss";
import { encodeJob } from "./internal/job-data.js";
import { deliveryJobId } from "./job-id.js";

/** The default pg-boss queue name of {@link pgBossQueue} and `createWorker`. */
export const DEFAULT_QUEUE_NAME = "hookgate-deliveries";

/** How pg-boss retries a delivery whose handlers failed (its own retry settings, per job). */
export interface PgBossRetryOptions {
  /** Retries after the first run; past them the job goes to the dead-letter queue. @default 8 */
  limit?: number;
  /** Seconds before the first retry. @default 5 */
  delaySeconds?: number;
  /** Double the delay at each retry, with jitter (5 s, 10 s, 20 s … about 21 to 42 min in all by default). @default true */
  backoff?: boolean;
}

/** Options for {@link pgBossQueue}. */
export interface PgBossQueueOptions {
  /** A started `PgBoss` instance (`await boss.start()`), with an `error` listener. */
  boss: PgBoss;
  /** The pg-boss queue. @default "hookgate-deliveries" */
  name?: string;
  /**
   * The pg-boss queue that receives deliveries whose every retry failed, for inspection and
   * replay; `false` drops them (pg-boss keeps them as `failed` until its retention ends).
   * @default `${name}-dead-letters`
   */
  deadLetter?: string | false;
  retry?: PgBossRetryOptions;
  /**
   * Seconds a job may stay active before pg-boss fails it and retries it: with `createWorker`'s
   * expiry check (every 10 s) and the first retry delay, a delivery whose worker died runs again
   * within a minute. A handler slower than this is not run twice (the worker's once-lease holds
   * it) but spends one attempt: raise it for slow handlers. @default 30
   */
  expireInSeconds?: number;
}

/** A {@link Queue} on pg-boss. */
export interface PgBossQueue extends Queue {
  /** The pg-boss queue name. */
  readonly name: string;
  /** The dead-letter queue name, or `false`. */
  readonly deadLetter: string | false;
  /**
   * Creates the queue and its dead-letter queue in pg-boss if missing (pg-boss 10 sends only to
   * queues that exist). Idempotent; run it at start-up, after `boss.start()`.
   */
  setup(): Promise<void>;
}

// Two pg-boss 10 instances creating one queue at the same moment can deadlock (or meet on its
// unique name): the loser tries again, and finds the queue there.
const RACE_CODES = new Set(["40P01", "23505"]);

async function createQueueOnce(boss: PgBoss, queue: PgBoss.Queue): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await boss.getQueue(queue.name)) return;
    try {
      await boss.createQueue(queue.name, queue);
      return;
    } catch (error) {
      if (attempt >= 5 || !RACE_CODES.has((error as { code?: string }).code ?? "")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
    }
  }
}

/**
 * Hands deliveries to pg-boss: `enqueue` resolves once the job is committed in PostgreSQL, so a
 * 202 is answered only for a delivery that survives the receiver. The job id is derived from
 * the delivery's idempotency key, so a copy that is already queued is accepted without a
 * second job. Consume with `createWorker` from this package.
 *
 * @example
 * const boss = new PgBoss(process.env.DATABASE_URL!);
 * boss.on("error", (error) => console.error(error));
 * await boss.start();
 * const queue = pgBossQueue({ boss });
 * await queue.setup();
 * createReceiver({ scheme, store: postgresStore({ pool }), queue });
 */
export function pgBossQueue(options: PgBossQueueOptions): PgBossQueue {
  checkOption.object("pgBossQueue", options, true);
  const { boss } = options;
  if (!boss || typeof boss.send !== "function") {
    throw new WebhookError("invalid_option", "hookgate: pgBossQueue needs `boss`, a started PgBoss instance");
  }
  const name = checkOption.string("pgBossQueue option name", options.name, DEFAULT_QUEUE_NAME);
  const deadLetter =
    options.deadLetter === false
      ? false
      : checkOption.string("pgBossQueue option deadLetter", options.deadLetter, `${name}-dead-letters`);
  const retry = checkOption.object("pgBossQueue option retry", options.retry);
  const retryLimit = checkOption.whole("pgBossQueue option retry.limit", retry?.limit, 8, 0);
  const retryDelay = checkOption.whole("pgBossQueue option retry.delaySeconds", retry?.delaySeconds, 5, 0);
  const retryBackoff = checkOption.boolean("pgBossQueue option retry.backoff", retry?.backoff, true);
  const expireInSeconds = checkOption.whole(
    "pgBossQueue option expireInSeconds",
    options.expireInSeconds,
    30,
  );
  // Set on every job rather than only on the queue, so they hold however the queue was created.
  const jobOptions: PgBoss.SendOptions = {
    retryLimit,
    retryDelay,
    retryBackoff,
    expireInSeconds,
    ...(deadLetter ? { deadLetter } : {}),
  };

  return {
    name,
    deadLetter,
    async setup() {
      if (deadLetter) await createQueueOnce(boss, { name: deadLetter });
      await createQueueOnce(boss, { name, ...jobOptions });
    },
    async enqueue(delivery) {
      const id = deliveryJobId(delivery);
      // Resolves once the INSERT is committed; null when a job with this id already exists.
      if ((await boss.send(name, encodeJob(delivery), { ...jobOptions, id })) !== null) return;
      // An earlier copy of this delivery is queued, running or done (maybe archived): accepted.
      if (await boss.getJobById(name, id, { includeArchive: true })) return;
      // A plain error: the receiver answers it (503 queue_unavailable, with Retry-After).
      throw new Error(
        `hookgate: pg-boss stored no job in queue "${name}"; create it at start-up with await pgBossQueue({ boss, name }).setup()`,
      );
    },
  };
}
