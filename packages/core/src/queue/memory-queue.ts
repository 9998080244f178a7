import { classifyDispatchFailure } from "../classify-dispatch-failure.js";
import { WebhookError } from "../errors.js";
import { checkOption } from "../internal/check-option.js";
import type { Queue, QueueDispatch, QueueDispatchOptions, QueuedDelivery, QueueHooks } from "../queue.js";

/** Retry policy for {@link memoryQueue}. */
export interface RetryOptions {
  /** Total runs, the first included. @default 3 */
  attempts?: number;
  /** Delay before retry n (1-based), in ms: a base for exponential backoff, or a function. @default 1000 */
  backoff?: number | ((retry: number) => number);
  /**
   * How long a job waits when its delivery is being handled elsewhere (`in_flight`) before it
   * runs again; such a wait spends no attempt. @default 5000
   */
  inFlightDelayMs?: number;
}

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
  const retry = checkOption.object("memoryQueue option retry", options.retry);
  const attempts = checkOption.whole("memoryQueue option retry.attempts", retry?.attempts, 3);
  const inFlightDelayMs = checkOption.whole(
    "memoryQueue option retry.inFlightDelayMs",
    retry?.inFlightDelayMs,
    5000,
    0,
  );
  const backoff =
    typeof retry?.backoff === "function"
      ? retry.backoff
      : checkOption.number("memoryQueue option retry.backoff", retry?.backoff, 1000);
  checkOption.callback("memoryQueue option onDeadLetter", options.onDeadLetter);
  const dispatchOptions: QueueDispatchOptions = {
    once: checkOption.boolean("memoryQueue option once", options.once, false),
    verify: checkOption.boolean("memoryQueue option verify", options.verify, false),
  };
  const delay = (retry: number) =>
    typeof backoff === "function" ? backoff(retry) : backoff * 2 ** (retry - 1);

  interface Job {
    delivery: QueuedDelivery;
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

  async function run(job: Job): Promise<void> {
    try {
      await job.dispatch(job.delivery, dispatchOptions);
      done(job);
    } catch (error) {
      // The retry policy every worker shares (see `classifyDispatchFailure`).
      const action = classifyDispatchFailure(error);
      if (action === "later") return runLater(job, inFlightDelayMs);
      if (action === "retry" && job.attempt < attempts) {
        return runLater({ ...job, attempt: job.attempt + 1 }, delay(job.attempt));
      }
      done(job);
      await Promise.resolve(job.hooks?.deadLetter?.(job.delivery, error)).catch(() => {});
      try {
        await options.onDeadLetter?.(job.delivery, error);
      } catch {
        // A failing dead-letter callback must not take the queue down.
      }
    }
  }

  /** A job that will not run again: a copy of its delivery is a new job from now on. */
  function done(job: Job): void {
    if (job.delivery.key !== undefined) queued.delete(job.delivery.key);
  }

  function pump(): void {
    while (running < concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      running++;
      void run(job).finally(() => {
        running--;
        pump();
        settle();
      });
    }
  }

  async function add(delivery: QueuedDelivery, dispatch: Job["dispatch"], hooks?: QueueHooks): Promise<void> {
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

  return {
    get pending() {
      return pending();
    },
    attach(dispatch, hooks) {
      dispatchers.push(hooks ? { dispatch, hooks } : { dispatch });
      // Each receiver enqueues through its own handle: its jobs run its handlers.
      return { enqueue: (delivery) => add(delivery, dispatch, hooks) };
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
