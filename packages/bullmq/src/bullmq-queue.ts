import { type Queue, type QueuedDelivery, WebhookError } from "@hookgate/core";
import { checkOption } from "@hookgate/core/kit";
import type { JobsOptions } from "bullmq";
import { jobIdFor } from "./job-id.js";

/** The part of a BullMQ `Queue` that {@link bullmqQueue} uses. */
export interface BullmqQueueLike {
  add(name: string, data: QueuedDelivery, options?: JobsOptions): Promise<unknown>;
  readonly defaultJobOptions?: JobsOptions;
}

/** Options for {@link bullmqQueue}. */
export interface BullmqQueueOptions {
  /** A BullMQ `Queue` you created and own; workers consume the same queue name. */
  queue: BullmqQueueLike;
  /**
   * Options for every job, over the defaults below and the queue's `defaultJobOptions`. `jobId` is
   * always {@link jobIdFor}.
   * @default { attempts: 10, backoff: { type: "exponential", delay: 1000 } } — about 8½ minutes of retries
   */
  jobOptions?: Omit<JobsOptions, "jobId">;
}

/** Retries when nothing else says otherwise: 1 s, 2 s, 4 s … 256 s apart. */
export const defaultJobOptions = {
  attempts: 10,
  backoff: { type: "exponential", delay: 1000 },
} as const satisfies JobsOptions;

/**
 * A durable hand-off to BullMQ: `enqueue` resolves once Redis holds the job, so the receiver
 * answers 202 only for deliveries that survive a crash. The job id comes from the delivery's key
 * ({@link jobIdFor}): copies of one delivery received by several instances make one job. How long
 * the receiver waits for Redis is its `queueTimeoutMs`; a refused or late add is answered 503
 * `queue_unavailable` by the receiver (this queue only throws BullMQ's error).
 *
 * @example
 * const queue = new Queue("hookgate", { connection });
 * createReceiver({ scheme, store: redisStore({ client }), queue: bullmqQueue({ queue }) });
 */
export function bullmqQueue(options: BullmqQueueOptions): Queue {
  checkOption.object("bullmqQueue", options, true);
  const { queue } = options;
  if (!queue || typeof queue.add !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: bullmqQueue needs a BullMQ Queue: bullmqQueue({ queue })",
    );
  }
  if ("timeoutMs" in options) {
    throw new WebhookError(
      "invalid_option",
      "hookgate: bullmqQueue no longer takes timeoutMs; the receiver bounds every queue: createReceiver({ queueTimeoutMs })",
    );
  }
  checkOption.object("bullmqQueue option jobOptions", options.jobOptions);
  checkOption.whole("bullmqQueue option jobOptions.attempts", options.jobOptions?.attempts, 1);

  return {
    async enqueue(delivery) {
      const jobOptions: JobsOptions = {
        ...defaultJobOptions,
        ...queue.defaultJobOptions,
        ...options.jobOptions,
        jobId: jobIdFor(delivery),
      };
      // Resolves once Redis holds the job; the receiver bounds the wait (queueTimeoutMs).
      await queue.add(delivery.type, delivery, jobOptions);
    },
  };
}
