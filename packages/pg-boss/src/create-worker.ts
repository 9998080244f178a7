import { type QueuedDelivery, type Receiver, WebhookError } from "@hookgate/core";
import { checkOption, classifyDispatchFailure } from "@hookgate/core/kit";
import type PgBoss from "pg-boss";
import { decodeJob } from "./internal/job-data.js";
import { deadJobId, laterJobId } from "./job-id.js";
import { DEFAULT_QUEUE_NAME } from "./pg-boss-queue.js";

/** Options for {@link createWorker}. */
export interface PgBossWorkerOptions {
  /** A started `PgBoss` instance, with an `error` listener. */
  boss: PgBoss;
  /** The pg-boss queue, as given to `pgBossQueue`. @default "hookgate-deliveries" */
  name?: string;
  /** Deliveries this process runs at once. @default 4 */
  concurrency?: number;
  /**
   * Jobs taken per fetch (each still succeeds, fails and is retried on its own). Larger batches
   * cost the database fewer statements per delivery; a subscription fetches again once its
   * whole batch settled. `concurrency / batchSize` subscriptions poll the queue. @default 1
   */
  batchSize?: number;
  /** Seconds between polls of an idle queue (a busy one is drained without waiting). @default 2 */
  pollingIntervalSeconds?: number;
  /** Re-verify each delivery's signature, as of its receipt, before running handlers. @default false */
  verify?: boolean;
  /**
   * How long a job waits when another worker is running the same delivery (`in_flight`) before it
   * looks again. Such a wait does not use up one of the job's retries. @default 5000
   */
  inFlightDelayMs?: number;
  /**
   * Seconds between this worker's checks for jobs whose worker died (active past the queue's
   * `expireInSeconds`): such a job goes back to pg-boss's retries. pg-boss's own maintenance does
   * it too, but only every 2 minutes by default; `0` leaves it to pg-boss. @default 10
   */
  expireCheckIntervalSeconds?: number;
}

/** An interval as pg-boss reads it back, in whole seconds (at least 1). */
function intervalSeconds(interval: PgBoss.PostgresInterval | undefined): number | undefined {
  if (!interval) return undefined;
  const { days = 0, hours = 0, minutes = 0, seconds = 0 } = interval;
  const total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
  return total >= 1 ? Math.round(total) : undefined;
}

/** What pg-boss keeps as a failed job's output: the error's name, code and message. */
function errorOutput(error: unknown): object {
  if (!(error instanceof Error)) return { message: String(error) };
  const { name, message } = error;
  const code = (error as { code?: unknown }).code;
  return { name, message, ...(typeof code === "string" ? { code } : {}) };
}

/** A running {@link createWorker}. */
export interface PgBossWorker {
  /** The pg-boss worker ids, one per unit of concurrency. */
  readonly ids: readonly string[];
  /** Deliveries running now. */
  readonly running: number;
  /** Stops fetching and resolves once the deliveries running now have settled. */
  close(): Promise<void>;
}

/**
 * Consumes the deliveries `pgBossQueue` enqueued and runs the receiver's handlers for each,
 * once: `receiver.dispatch(delivery, { once: true })` claims a per-delivery key in the receiver's
 * store first, so a job retried after its worker died, or enqueued again after pg-boss forgot
 * it, never runs the handlers twice once they completed. Failures follow `classifyDispatchFailure`
 * (from `@hookgate/core`), like every hookgate worker: a failing handler, a 5xx or a timeout fails
 * the job and pg-boss retries it with backoff; a delivery running in another worker (`in_flight`)
 * is put back for `inFlightDelayMs` without spending a retry; a 4xx that cannot succeed (a
 * signature that no longer verifies) is given up at once. A job given up, or past its retries,
 * goes to the dead-letter queue, and the receiver's journal (if it has one) shows it `dead`
 * through `receiver.deadLetter`, ready for replay. A job whose worker died runs again within a
 * minute (the queue's `expireInSeconds`, checked every `expireCheckIntervalSeconds`).
 *
 * @example
 * const worker = await createWorker(receiver, { boss, concurrency: 8 });
 * process.on("SIGTERM", async () => { await worker.close(); await boss.stop(); });
 */
export async function createWorker(
  receiver: Pick<Receiver, "dispatch"> & Partial<Pick<Receiver, "deadLetter">>,
  options: PgBossWorkerOptions,
): Promise<PgBossWorker> {
  checkOption.object("createWorker", options, true);
  const { boss } = options;
  const name = checkOption.string("createWorker option name", options.name, DEFAULT_QUEUE_NAME);
  const concurrency = checkOption.whole("createWorker option concurrency", options.concurrency, 4);
  const batchSize = checkOption.whole("createWorker option batchSize", options.batchSize, 1);
  // pg-boss polls at most every 0.5 s.
  const pollingIntervalSeconds = checkOption.number(
    "createWorker option pollingIntervalSeconds",
    options.pollingIntervalSeconds,
    2,
    { min: 0.5 },
  );
  const verify = checkOption.boolean("createWorker option verify", options.verify, false);
  const inFlightDelayMs = checkOption.whole(
    "createWorker option inFlightDelayMs",
    options.inFlightDelayMs,
    5000,
    0,
  );
  const expireCheckIntervalSeconds = checkOption.number(
    "createWorker option expireCheckIntervalSeconds",
    options.expireCheckIntervalSeconds,
    10,
    { min: 0 },
  );
  if (!boss || typeof boss.work !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: createWorker needs `boss`, a started PgBoss instance",
    );
  }
  if (batchSize > concurrency) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: createWorker batchSize must be a whole number from 1 to concurrency (${concurrency}), got ${String(batchSize)}`,
    );
  }
  if (!(await boss.getQueue(name))) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: pg-boss has no queue "${name}"; create it at start-up with await pgBossQueue({ boss, name }).setup()`,
    );
  }

  let running = 0;
  let settled: Array<() => void> = [];
  const dispatchOptions = { once: true, verify };

  /** The receiver's journal shows a delivery given up on `dead`; never throws. */
  async function reportDead(job: PgBoss.JobWithMetadata<unknown>, error: unknown): Promise<void> {
    if (!receiver.deadLetter) return;
    let delivery: QueuedDelivery;
    try {
      delivery = decodeJob(job.data);
    } catch {
      return; // not a delivery: nothing the journal knows
    }
    await receiver.deadLetter(delivery, error).catch(() => {});
  }

  /** Runs the job's delivery again after `inFlightDelayMs`, as a copy with the retries it has left. */
  async function putBack(job: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    const expireInSeconds = intervalSeconds(job.expireIn);
    await boss.send(name, job.data as object, {
      id: laterJobId(job.id),
      startAfter: inFlightDelayMs / 1000,
      retryLimit: Math.max(0, job.retryLimit - job.retryCount),
      retryDelay: job.retryDelay,
      retryBackoff: job.retryBackoff,
      ...(expireInSeconds ? { expireInSeconds } : {}),
      ...(job.deadLetter ? { deadLetter: job.deadLetter } : {}),
    });
  }

  /** Dead-letters a job that can never succeed, without spending its retries. */
  async function giveUp(job: PgBoss.JobWithMetadata<unknown>, error: unknown): Promise<void> {
    if (job.deadLetter) await boss.send(job.deadLetter, job.data as object, { id: deadJobId(job.id) });
    await boss.cancel(name, job.id);
    await reportDead(job, error);
  }

  /**
   * Settles one failed job the way `classifyDispatchFailure` says. Returns the error for pg-boss
   * to fail the job with (spending a retry), or undefined when the job was settled here.
   */
  async function settleFailure(job: PgBoss.JobWithMetadata<unknown>, error: unknown): Promise<unknown> {
    const action = classifyDispatchFailure(error);
    if (action === "later") return putBack(job);
    if (action === "give-up") return giveUp(job, error);
    if (job.retryCount >= job.retryLimit) await reportDead(job, error);
    return error;
  }

  async function run(jobs: PgBoss.JobWithMetadata<unknown>[]): Promise<void> {
    running += jobs.length;
    try {
      const outcomes = await Promise.allSettled(
        jobs.map(async (job) => receiver.dispatch(decodeJob(job.data), dispatchOptions)),
      );
      // pg-boss completes every job of the batch that is still active once this resolves: fail
      // the others first. Should that fail, throwing fails the whole batch, and the retries of
      // the jobs that did succeed find their delivery handled and run nothing.
      const failed: Array<{ job: PgBoss.JobWithMetadata<unknown>; error: unknown }> = [];
      for (const [i, job] of jobs.entries()) {
        const outcome = outcomes[i]!;
        if (outcome.status === "fulfilled") continue;
        const error = await settleFailure(job, outcome.reason);
        if (error !== undefined) failed.push({ job, error });
      }
      if (jobs.length === 1 && failed.length === 1) throw failed[0]!.error;
      for (const { job, error } of failed) await boss.fail(name, job.id, errorOutput(error));
    } finally {
      running -= jobs.length;
      if (running === 0) {
        const resolve = settled;
        settled = [];
        for (const fn of resolve) fn();
      }
    }
  }

  const ids: string[] = [];
  for (let i = 0; i < Math.ceil(concurrency / batchSize); i++) {
    let id: string | undefined;
    const workOptions = { batchSize, pollingIntervalSeconds, includeMetadata: true } as const;
    id = await boss.work<unknown>(name, workOptions, (jobs) => {
      // Poll again as soon as this batch settles: pg-boss otherwise waits a polling interval
      // between fetches, which would cap a busy queue at one batch per interval.
      if (id) boss.notifyWorker(id);
      return run(jobs);
    });
    ids.push(id);
  }

  // pg-boss fails jobs active past their expiry only in its maintenance (every 2 minutes by
  // default): check more often, so a crashed worker's jobs run again within a minute.
  const expiry =
    expireCheckIntervalSeconds > 0
      ? setInterval(() => {
          boss.expire().catch(() => {});
        }, expireCheckIntervalSeconds * 1000)
      : undefined;
  (expiry as { unref?: () => void } | undefined)?.unref?.();

  return {
    ids,
    get running() {
      return running;
    },
    async close() {
      clearInterval(expiry);
      for (const id of ids) await boss.offWork({ id });
      if (running > 0) await new Promise<void>((resolve) => settled.push(resolve));
    },
  };
}
