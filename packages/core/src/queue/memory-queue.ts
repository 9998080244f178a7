import { WebhookError } from "../errors.js";
import { checkOption } from "../internal/check-option.js";
import { extend } from "../internal/extend.js";
import {
  type InProcessJob,
  isInProcessJob,
  type Queue,
  type QueueDispatch,
  type QueueDispatchOptions,
  type QueuedDelivery,
  type QueueHooks,
} from "../queue.js";
import { nextAttempt, type RetryOptions, retryPolicy } from "./retry-policy.js";

export type { RetryOptions } from "./retry-policy.js";

/** Options for {@link memoryQueue}. */
export interface MemoryQueueOptions {
  /** Deliveries run at once. @default 4 */
  concurrency?: number;
  /** Deliveries waiting or running before `enqueue` refuses with 503 + Retry-After. @default 1000 */
  maxPending?: number;
  retry?: RetryOptions;
  /** Called with a delivery whose every attempt failed, and the last error. */
  onDeadLetter?: (delivery: QueuedDelivery, error: unknown) => void | Promise<void>;
  /**
   * Run each job as durable workers do, `receiver.dispatch(job, { once: true })`: at most one
   * handler run per delivery key, whatever runs it (a copy enqueued again, another process
   * dispatching it). @default false
   */
  once?: boolean;
  /** Re-verify each job's signature and seal before its handlers run, as workers can. @default false */
  verify?: boolean;
}

/** The in-process queue, with hooks for tests and graceful shutdown. */
export interface MemoryQueue extends Queue {
  /** Deliveries waiting or running. */
  readonly pending: number;
  /** Resolves when nothing is waiting or running. */
  onIdle(): Promise<void>;
}

/**
 * An in-process queue: enqueue returns at once and the receiver's handlers run in the
 * background with retries and a dead-letter callback, following `classifyDispatchFailure` like
 * every worker (in_flight waits without spending an attempt; a 4xx is dead-lettered at once).
 * NOT durable: deliveries waiting or
 * running are lost if the process exits — the sender was already answered 202 and will not
 * resend. Use it for development and tests; use `@hookgate/bullmq` in production.
 *
 * @example
 * createReceiver({ scheme, queue: memoryQueue({ concurrency: 8, retry: { attempts: 5 } }) })
 */
export function memoryQueue(options: MemoryQueueOptions = {}): MemoryQueue {
  checkOption.object("memoryQueue", options);
  const concurrency = checkOption.whole("memoryQueue option concurrency", options.concurrency, 4);
  const maxPending = checkOption.whole("memoryQueue option maxPending", options.maxPending, 1000);
  const policy = retryPolicy("memoryQueue", options.retry);
  checkOption.callback("memoryQueue option onDeadLetter", options.onDeadLetter);
  const dispatchOptions: QueueDispatchOptions = {
    once: checkOption.boolean("memoryQueue option once", options.once, false),
    verify: checkOption.boolean("memoryQueue option verify", options.verify, false),
  };
  interface Job {
    delivery: QueuedDelivery | InProcessJob;
    dispatch: QueueDispatch;
    hooks: QueueHooks | undefined;
    attempt: number;
  }
  const waiting: Job[] = [];
  const dispatchers: Array<{ dispatch: QueueDispatch; hooks?: QueueHooks }> = [];
  /** Keys of the deliveries waiting, running or due to run again. */
  const queued = new Set<string>();
  let running = 0;
  let scheduled = 0;
  let idle: Array<() => void> = [];

  const pending = () => waiting.length + running + scheduled;

  function settle(): void {
    if (pending() === 0) {
      const resolve = idle;
      idle = [];
      for (const fn of resolve) fn();
    }
  }

  function runLater(job: Job, afterMs: number): void {
    scheduled++;
    setTimeout(() => {
      scheduled--;
      waiting.push(job);
      pump();
    }, afterMs);
  }

  /** Runs a job; a failure is retried or dead-lettered (`failed`) before the promise settles. */
  function run(job: Job): Promise<void> {
    const { delivery } = job;
    let work: Promise<void> | void;
    try {
      work = isInProcessJob(delivery)
        ? delivery.run(dispatchOptions)
        : job.dispatch(delivery, dispatchOptions);
    } catch (error) {
      work = Promise.reject(error);
    }
    // A dispatch attached by hand may answer without a promise.
    if (!(work instanceof Promise)) work = Promise.resolve(work);
    // One reaction per job, not an async frame and its awaits.
    return work.then(
      () => done(job),
      (error: unknown) => failed(job, error),
    );
  }

  async function failed(job: Job, error: unknown): Promise<void> {
    // The retry policy every worker shares (see `classifyDispatchFailure`).
    const next = nextAttempt(policy, error, job.attempt);
    if (next) return runLater(extend(job, { attempt: next.attempt }), next.afterMs);
    done(job);
    // A job held in-process is given to dead-letter callbacks as every queue's jobs are: sealed JSON.
    const delivery = isInProcessJob(job.delivery)
      ? await job.delivery.queued().catch(() => undefined)
      : job.delivery;
    if (!delivery) return;
    await Promise.resolve(job.hooks?.deadLetter?.(delivery, error)).catch(() => {});
    try {
      await options.onDeadLetter?.(delivery, error);
    } catch {
      // A failing dead-letter callback must not take the queue down.
    }
  }

  /** A job that will not run again: a copy of its delivery is a new job from now on. */
  function done(job: Job): void {
    if (job.delivery.key !== undefined) queued.delete(job.delivery.key);
  }

  /** A job has run (or will run again later): the next may start. */
  function finished(): void {
    running--;
    pump();
    settle();
  }

  function pump(): void {
    while (running < concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      running++;
      void run(job).then(finished, finished);
    }
  }

  /** Holds a job at once, or refuses it (`queue_full`). */
  function hold(delivery: Job["delivery"], dispatch: Job["dispatch"], hooks?: QueueHooks): void {
    if (pending() >= maxPending) {
      throw new WebhookError(
        "queue_full",
        `hookgate: memoryQueue has ${maxPending} deliveries pending (maxPending); the sender should retry later`,
      );
    }
    // A copy of a delivery that is waiting or running (the same key) is that job, as on durable queues.
    if (delivery.key !== undefined) {
      if (queued.has(delivery.key)) return;
      queued.add(delivery.key);
    }
    waiting.push({ delivery, dispatch, hooks, attempt: 1 });
    pump();
  }

  async function add(delivery: QueuedDelivery, dispatch: Job["dispatch"], hooks?: QueueHooks): Promise<void> {
    hold(delivery, dispatch, hooks);
  }

  return {
    get pending() {
      return pending();
    },
    attach(dispatch, hooks) {
      dispatchers.push(hooks ? { dispatch, hooks } : { dispatch });
      // Each receiver enqueues through its own handle: its jobs run its handlers.
      const handle: Queue = { enqueue: (delivery) => add(delivery, dispatch, hooks) };
      // Its jobs never leave the process: the receiver may hand over its verified events as they
      // are — unless each job is to be re-verified from its sealed form, as durable workers do.
      if (!dispatchOptions.verify) handle.enqueueInProcess = (job) => hold(job, dispatch, hooks);
      return handle;
    },
    async enqueue(delivery) {
      if (dispatchers.length !== 1) {
        throw new WebhookError(
          "queue_unavailable",
          dispatchers.length === 0
            ? "hookgate: this memoryQueue is not attached to a receiver; pass it as createReceiver({ queue })"
            : "hookgate: this memoryQueue serves several receivers; deliveries reach it through each receiver",
        );
      }
      return add(delivery, dispatchers[0]!.dispatch, dispatchers[0]!.hooks);
    },
    onIdle() {
      return pending() === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve));
    },
  };
}
