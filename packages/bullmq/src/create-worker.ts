import { type QueuedDelivery, type Receiver, WebhookError } from "@hookgate/core";
import { checkOption, classifyDispatchFailure } from "@hookgate/core/kit";
import { DelayedError, type Job, UnrecoverableError, Worker, type WorkerOptions } from "bullmq";

/** Options for {@link createWorker}: BullMQ's `WorkerOptions` (`connection` is required) and these. */
export interface CreateWorkerOptions extends WorkerOptions {
  /** The queue to consume: the name of the `Queue` given to `bullmqQueue`. @default "hookgate" */
  name?: string;
  /** Re-verify each delivery's signature as of its receipt before running handlers. @default false */
  verify?: boolean;
  /**
   * How long a job waits when another worker is running the same delivery (`in_flight`) before it
   * looks again. Such a wait does not use up one of the job's attempts.
   * @default 5000
   */
  inFlightDelayMs?: number;
}

/** What the worker sets unless told otherwise. */
export const defaultWorkerOptions = {
  concurrency: 4,
  // Completed jobs can go soon: the store remembers handled deliveries for its ttlMs.
  removeOnComplete: { age: 3600, count: 1000 },
  // Failed jobs (every attempt used) stay for inspection and `job.retry()`, for two weeks.
  removeOnFail: { age: 14 * 24 * 3600 },
  // A crashed worker's job runs again within a minute: its lock lapses within lockDuration (30 s),
  // the stalled-job check runs every 15 s. A stall is safe to run again (the once-lease prevents
  // a second handler run), so a job may stall a few times before BullMQ fails it.
  lockDuration: 30_000,
  stalledInterval: 15_000,
  maxStalledCount: 5,
} as const satisfies Partial<WorkerOptions>;

/**
 * A BullMQ worker that runs each queued delivery's handlers through
 * `receiver.dispatch(delivery, { once: true })`: at most one handler run per delivery across
 * every worker sharing the receiver's store, even when BullMQ runs a job twice (a stalled job,
 * a job added again after it was removed). Failures follow `classifyDispatchFailure`: a handler
 * error, a 5xx or a timeout fails the attempt, and BullMQ retries it with the job's `attempts` and
 * `backoff`; a delivery running elsewhere (`in_flight`) is looked at again after `inFlightDelayMs`
 * without spending an attempt; a 4xx that cannot succeed (its signature no longer verifies) fails
 * at once and is dead-lettered. A crashed worker's jobs run again within a minute (see
 * {@link defaultWorkerOptions}). Returns the BullMQ `Worker`: `await worker.close()` on shutdown.
 *
 * @example
 * const worker = createWorker(receiver, { connection: { host: "127.0.0.1", port: 6379 }, concurrency: 8 });
 */
export function createWorker(
  receiver: Pick<Receiver, "dispatch"> & Partial<Pick<Receiver, "deadLetter">>,
  options: CreateWorkerOptions,
): Worker<QueuedDelivery> {
  checkOption.object("createWorker", options, true);
  const { name: rawName, verify: rawVerify, inFlightDelayMs: rawDelay, ...workerOptions } = options;
  const name = checkOption.string("createWorker option name", rawName, "hookgate");
  const verify = checkOption.boolean("createWorker option verify", rawVerify, false);
  const inFlightDelayMs = checkOption.whole("createWorker option inFlightDelayMs", rawDelay, 5000, 0);
  checkOption.whole("createWorker option concurrency", workerOptions.concurrency, 1);
  if (!receiver || typeof receiver.dispatch !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: createWorker needs a receiver: createWorker(receiver, { connection })",
    );
  }
  if (!workerOptions.connection) {
    throw new WebhookError(
      "invalid_option",
      "hookgate: createWorker needs a Redis connection: createWorker(receiver, { connection })",
    );
  }

  async function process(job: Job<QueuedDelivery>, token?: string): Promise<void> {
    try {
      await receiver.dispatch(job.data, { once: true, verify });
    } catch (error) {
      // The retry policy every worker shares (see `classifyDispatchFailure` in @hookgate/core).
      const action = classifyDispatchFailure(error);
      if (action === "later") {
        // Another worker holds the delivery; look again later without using up an attempt.
        await job.moveToDelayed(Date.now() + inFlightDelayMs, token);
        throw new DelayedError();
      }
      if (action === "give-up") {
        // Kept as the cause, so the dead letter records the real error (its code and status).
        throw Object.assign(new UnrecoverableError((error as Error).message), { cause: error });
      }
      throw error;
    }
  }

  const worker = new Worker<QueuedDelivery>(name, process, { ...defaultWorkerOptions, ...workerOptions });
  // A job BullMQ gives up on is a dead letter: the receiver's journal shows it `dead`, for replay.
  worker.on("failed", (job, error) => {
    if (!job || !receiver.deadLetter) return;
    const attempts = job.opts.attempts ?? 1;
    if (error instanceof UnrecoverableError || job.attemptsMade >= attempts) {
      const reason = error instanceof UnrecoverableError && error.cause !== undefined ? error.cause : error;
      receiver.deadLetter(job.data, reason).catch(() => {});
    }
  });
  return worker;
}
