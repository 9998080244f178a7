import { type Receiver, WebhookError } from "@hookgate/core";
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
  /** Seconds between polls of an idle queue (a busy one is drained without waiting). @default 2 */
  pollingIntervalSeconds?: number;
  /** Re-verify each delivery's signature, as of its receipt, before running handlers. @default false */
  verify?: boolean;
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
 * past its retries it goes to the dead-letter queue.
 *
 * @example
 * const worker = await createWorker(receiver, { boss, concurrency: 8 });
 * process.on("SIGTERM", async () => { await worker.close(); await boss.stop(); });
 */
export async function createWorker(
  receiver: Pick<Receiver, "dispatch">,
  options: PgBossWorkerOptions,
): Promise<PgBossWorker> {
  const { boss } = options;
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const concurrency = options.concurrency ?? 4;
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;
  if (!boss || typeof boss.work !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: createWorker needs `boss`, a started PgBoss instance",
    );
  }
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: createWorker concurrency must be a whole number of at least 1, got ${String(concurrency)}`,
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
  const ids: string[] = [];
  // One pg-boss subscription per unit of concurrency, each fetching one job, so every job
  // succeeds or fails (and is retried) on its own.
  for (let i = 0; i < concurrency; i++) {
    let id: string | undefined;
    id = await boss.work<unknown>(name, { batchSize: 1, pollingIntervalSeconds }, async (jobs) => {
      // Poll again as soon as this job settles: pg-boss otherwise waits a polling interval
      // between fetches, which would cap a busy queue at one job per interval per subscription.
      if (id) boss.notifyWorker(id);
      running++;
      try {
        for (const job of jobs) {
          await receiver.dispatch(decodeJob(job.data), { once: true, verify: options.verify ?? false });
        }
      } finally {
        if (--running === 0) {
          const resolve = settled;
          settled = [];
          for (const fn of resolve) fn();
        }
      }
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
