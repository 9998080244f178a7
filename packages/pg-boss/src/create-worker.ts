import {
  checkOption,
  isWebhookError,
  type QueuedDelivery,
  type Receiver,
  WebhookError,
} from "@hookgate/core";
import type PgBoss from "pg-boss";
import { decodeJob } from "./internal/job-data.js";
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
 * it, never runs the handlers twice once they completed. A failing handler, or a delivery
 * running in another worker (`in_flight`), fails the job and pg-boss retries it with backoff;
 * past its retries it goes to the dead-letter queue, and the receiver's journal (if it has one)
 * shows it `dead` through `receiver.deadLetter`, ready for replay.
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

  /**
   * A job failing its last attempt is a dead letter: the journal shows it `dead`. A delivery
   * another worker is running (`in_flight`) is not: that worker settles it.
   */
  async function reportDead(job: PgBoss.JobWithMetadata<unknown>, error: unknown): Promise<void> {
    if (!receiver.deadLetter || job.retryCount < job.retryLimit) return;
    if (isWebhookError(error) && error.code === "in_flight") return;
    let delivery: QueuedDelivery;
    try {
      delivery = decodeJob(job.data);
    } catch {
      return; // not a delivery: nothing the journal knows
    }
    await receiver.deadLetter(delivery, error).catch(() => {});
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
      const failed = jobs.flatMap((job, i) => {
        const outcome = outcomes[i]!;
        return outcome.status === "rejected" ? [{ job, error: outcome.reason as unknown }] : [];
      });
      for (const { job, error } of failed) await reportDead(job, error);
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

  return {
    ids,
    get running() {
      return running;
    },
    async close() {
      for (const id of ids) await boss.offWork({ id });
      if (running > 0) await new Promise<void>((resolve) => settled.push(resolve));
    },
  };
}
