import { WebhookError } from "@hookgate/core";
import { checkOption, type QueueHealth } from "@hookgate/core/kit";
import type { Channel } from "amqplib";
import { type AmqpConnectionLike, DEFAULT_QUEUE_NAME } from "./amqp-queue.js";
import { deadLetterQueueOf } from "./internal/topology.js";

/** The queue {@link amqpHealth} checks: the receiver's `amqpQueue`, or the same `connection` and `name`. */
export interface AmqpHealthQueue {
  connection: Pick<AmqpConnectionLike, "createChannel">;
  /** @default "hookgate-deliveries" */
  name?: string | undefined;
}

/** Options for {@link amqpHealth}. */
export interface AmqpHealthOptions {
  /**
   * How long RabbitMQ may take to answer (a recovering connection waits for the broker while it is
   * down); past it the check rejects with `queue_unavailable`.
   * @default 5000
   */
  timeoutMs?: number;
}

/** What {@link amqpHealth} found. */
export interface AmqpHealth extends QueueHealth {
  /** True when the queue exists and at least one consumer is subscribed to it. */
  ok: boolean;
  /** The queue's name. */
  queue: string;
  /** Consumers subscribed to the queue (RabbitMQ's `consumerCount`): each running `createWorker` is one. */
  workers: number;
  /** Messages ready to be delivered, not yet taken by a worker (RabbitMQ's `messageCount`). */
  waiting: number;
  /** Messages in the dead-letter queue (`${queue}.dead-letters`); `undefined` when it does not exist. */
  deadLetters: number | undefined;
  /** Why it is not ok, in words that say what to do; absent when ok. */
  problem?: string | undefined;
}

const notFound = (error: unknown) => (error as { code?: unknown } | undefined)?.code === 404;

/** `check` on its own channel, closed after, within `timeoutMs` (a channel opened late is closed too). */
async function withChannel<T>(
  connection: AmqpHealthQueue["connection"],
  timeoutMs: number,
  check: (channel: Channel) => Promise<T>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const opening = connection.createChannel();
  const checking = opening.then(async (channel) => {
    channel.on("error", () => {}); // a 404 closes the channel: the check's promise rejects with it
    try {
      return await check(channel);
    } finally {
      await channel.close().catch(() => {});
    }
  });
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`RabbitMQ did not answer within timeoutMs (${timeoutMs} ms)`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([checking, late]);
  } finally {
    clearTimeout(timer);
    checking.catch(() => {});
  }
}

/**
 * Checks that the receiver's RabbitMQ queue is consumed: it exists and at least one consumer is
 * subscribed to it (`consumerCount` from a passive declare, which is what RabbitMQ's AMQP answers;
 * a worker's consumer goes when its connection does). A receiver whose workers consume another
 * queue name, or none at all, answers 202 to deliveries nobody handles; this is what a readiness
 * probe or a deploy check calls to find out. Never throws for an unhealthy queue: the result says
 * why (`problem`); a broker that cannot be reached within `timeoutMs` rejects with
 * `queue_unavailable`.
 *
 * @example
 * app.get("/healthz", async (_req, res) => {
 *   const health = await amqpHealth(queue); // the amqpQueue the receiver hands off to
 *   res.status(health.ok ? 200 : 503).json(health);
 * });
 */
export async function amqpHealth(
  queue: AmqpHealthQueue,
  options: AmqpHealthOptions = {},
): Promise<AmqpHealth> {
  checkOption.object("amqpHealth queue", queue, true);
  checkOption.object("amqpHealth", options);
  if (typeof queue.connection?.createChannel !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: amqpHealth needs the receiver's amqpQueue, or { connection, name } with an amqplib connection",
    );
  }
  const name = checkOption.string("amqpHealth queue name", queue.name, DEFAULT_QUEUE_NAME);
  const timeoutMs = checkOption.whole("amqpHealth option timeoutMs", options.timeoutMs, 5000);
  const health: AmqpHealth = { ok: true, queue: name, workers: 0, waiting: 0, deadLetters: undefined };
  try {
    // One channel each: a queue that does not exist closes the channel it was asked on.
    const main = await withChannel(queue.connection, timeoutMs, (channel) =>
      channel.checkQueue(name).catch((error: unknown) => {
        if (notFound(error)) return undefined;
        throw error;
      }),
    );
    if (main) {
      health.workers = main.consumerCount;
      health.waiting = main.messageCount;
      health.deadLetters = await withChannel(queue.connection, timeoutMs, (channel) =>
        channel.checkQueue(deadLetterQueueOf(name)).then(
          (found) => found.messageCount,
          (error: unknown) => {
            if (notFound(error)) return undefined;
            throw error;
          },
        ),
      );
    } else {
      health.problem = `hookgate: RabbitMQ queue "${name}" does not exist; deliveries are refused (503) until it does. Declare it at start-up with await amqpQueue({ connection, name: "${name}" }).setup(), with the name the workers consume.`;
    }
  } catch (cause) {
    throw new WebhookError(
      "queue_unavailable",
      `hookgate: cannot read RabbitMQ queue "${name}": ${(cause as Error).message}`,
      { cause },
    );
  }
  if (!health.problem && health.workers === 0) {
    health.problem = `hookgate: no worker consumes RabbitMQ queue "${name}"; deliveries are accepted (202) and not handled. Start createWorker(receiver, { connection, name: "${name}" }) on the receiver's broker (AMQP_URL, vhost included), or check the name the workers consume.`;
  }
  health.ok = health.problem === undefined;
  return health;
}
