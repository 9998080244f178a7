import { type QueuedDelivery, type Receiver, WebhookError } from "@hookgate/core";
import {
  checkOption,
  decodeQueuedDelivery,
  exponentialBackoff,
  nextAttempt,
  type RetryPolicy,
} from "@hookgate/core/kit";
import type { ConfirmChannel, ConsumeMessage } from "amqplib";
import { type AmqpConnectionLike, DEFAULT_QUEUE_NAME } from "./amqp-queue.js";
import { publishConfirmed } from "./internal/publish-confirmed.js";
import { assertRetryQueue } from "./internal/topology.js";

/** The header counting a message's runs that failed and were retried (absent: its first run). */
export const ATTEMPT_HEADER = "x-hookgate-attempt";

/** Options for {@link createWorker}. */
export interface AmqpWorkerOptions {
  /** The connection to RabbitMQ (a recovering one carries on after a broker restart). */
  connection: AmqpConnectionLike;
  /** The queue, as given to `amqpQueue`. @default "hookgate-deliveries" */
  name?: string;
  /** Deliveries this process runs at once: the channel's prefetch. @default 4 */
  concurrency?: number;
  /** Runs of a delivery whose handlers keep failing, the first included; then it is dead-lettered. @default 10 */
  attempts?: number;
  /** The wait before the first retry, doubled at each retry (1 s, 2 s, 4 s …). @default 1000 */
  backoffMs?: number;
  /** The longest wait between two retries. @default 300000 */
  maxBackoffMs?: number;
  /** Re-verify each delivery's signature, as of its receipt, before running handlers. @default false */
  verify?: boolean;
  /**
   * How long a delivery waits when another worker is running it (`in_flight`) before it is
   * looked at again. Such a wait does not use up an attempt. @default 5000
   */
  inFlightDelayMs?: number;
  /** How long to wait before consuming again after the channel closed (a broker restart). @default 1000 */
  reconnectDelayMs?: number;
}

/** A running {@link createWorker}. */
export interface AmqpWorker {
  /** Deliveries running now. */
  readonly running: number;
  /** Stops consuming and resolves once the deliveries running now have settled. */
  close(): Promise<void>;
}

/**
 * Consumes the deliveries `amqpQueue` published and runs the receiver's handlers for each, once:
 * `receiver.dispatch(delivery, { once: true })` claims a per-delivery key in the receiver's store,
 * so a message delivered again (its worker died before the ack, a copy published twice) never
 * runs the handlers twice once they completed. A message is acknowledged only after its delivery
 * was handled or settled; a crashed worker's unacknowledged messages go back to the queue when
 * its channel closes. Failures follow `classifyDispatchFailure`: `in_flight` waits
 * `inFlightDelayMs` without spending an attempt; a handler error, a 5xx or a timeout is retried
 * after a backoff, counting attempts in a header; a 4xx that cannot succeed, or the last attempt,
 * is rejected into the dead-letter queue and shown `dead` in the journal (`receiver.deadLetter`).
 * Waits are retry queues with a TTL (RabbitMQ delays nothing without a plugin).
 *
 * @example
 * const worker = await createWorker(receiver, { connection, concurrency: 8 });
 * process.on("SIGTERM", async () => { await worker.close(); await connection.close(); });
 */
export async function createWorker(
  receiver: Pick<Receiver, "dispatch"> & Partial<Pick<Receiver, "deadLetter">>,
  options: AmqpWorkerOptions,
): Promise<AmqpWorker> {
  checkOption.object("createWorker", options, true);
  const { connection } = options;
  const name = checkOption.string("createWorker option name", options.name, DEFAULT_QUEUE_NAME);
  const concurrency = checkOption.whole("createWorker option concurrency", options.concurrency, 4);
  const attempts = checkOption.whole("createWorker option attempts", options.attempts, 10);
  const backoffMs = checkOption.whole("createWorker option backoffMs", options.backoffMs, 1000);
  const maxBackoffMs = checkOption.whole("createWorker option maxBackoffMs", options.maxBackoffMs, 300_000);
  const verify = checkOption.boolean("createWorker option verify", options.verify, false);
  const inFlightDelayMs = checkOption.whole(
    "createWorker option inFlightDelayMs",
    options.inFlightDelayMs,
    5000,
  );
  const policy: RetryPolicy = {
    attempts,
    inFlightDelayMs,
    delay: exponentialBackoff(backoffMs, maxBackoffMs),
  };
  const reconnectDelayMs = checkOption.whole(
    "createWorker option reconnectDelayMs",
    options.reconnectDelayMs,
    1000,
  );
  if (!receiver || typeof receiver.dispatch !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: createWorker needs a receiver: createWorker(receiver, { connection })",
    );
  }
  if (!connection || typeof connection.createConfirmChannel !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: createWorker needs `connection`, an amqplib connection",
    );
  }

  let running = 0;
  let closing = false;
  const settled: Array<() => void> = [];
  let current: { channel: ConfirmChannel; consumerTag: string } | undefined;
  let restart: ReturnType<typeof setTimeout> | undefined;
  const dispatchOptions = { once: true, verify };
  // The retry queues each channel has declared (a declaration is a round trip: once per delay).
  const declared = new WeakMap<ConfirmChannel, Map<number, Promise<string>>>();

  /** Publishes a copy that comes back after `delayMs`, then acknowledges the original. */
  async function putBack(channel: ConfirmChannel, message: ConsumeMessage, attempt: number, delayMs: number) {
    const queues = declared.get(channel) ?? new Map<number, Promise<string>>();
    declared.set(channel, queues);
    let declaring = queues.get(delayMs);
    if (!declaring) {
      declaring = assertRetryQueue(channel, name, delayMs);
      declaring.catch(() => queues.delete(delayMs));
      queues.set(delayMs, declaring);
    }
    const queue = await declaring;
    const { headers, ...properties } = message.properties;
    await publishConfirmed(channel, queue, message.content, {
      ...(Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined)) as object),
      headers: { ...headers, [ATTEMPT_HEADER]: attempt },
    });
    channel.ack(message);
  }

  async function settle(channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    let delivery: QueuedDelivery | undefined;
    const attempt = Number(message.properties.headers?.[ATTEMPT_HEADER] ?? 1) || 1;
    try {
      delivery = decodeQueuedDelivery(message.content, "RabbitMQ");
      await receiver.dispatch(delivery, dispatchOptions);
      channel.ack(message);
      return;
    } catch (error) {
      // The retry policy every worker shares (`nextAttempt` in @hookgate/core/kit).
      const next = nextAttempt(policy, error, attempt);
      if (next) return putBack(channel, message, next.attempt, next.afterMs);
      // Given up: the broker moves it to the dead-letter queue; the journal shows it dead.
      channel.nack(message, false, false);
      if (delivery && receiver.deadLetter) await receiver.deadLetter(delivery, error).catch(() => {});
    }
  }

  function onMessage(channel: ConfirmChannel, message: ConsumeMessage | null): void {
    if (!message) return; // cancelled by the broker (queue deleted): the channel's close restarts
    running++;
    settle(channel, message)
      // A lost channel leaves the message unacknowledged: the broker delivers it again.
      .catch(() => {})
      .finally(() => {
        running--;
        if (running === 0) for (const resolve of settled.splice(0)) resolve();
      });
  }

  async function consume(): Promise<void> {
    const channel = await connection.createConfirmChannel();
    channel.on("error", () => {});
    channel.on("close", () => {
      if (current?.channel === channel) current = undefined;
      if (!closing) scheduleRestart();
    });
    await channel.prefetch(concurrency);
    const { consumerTag } = await channel.consume(name, (message) => onMessage(channel, message), {
      noAck: false,
    });
    current = { channel, consumerTag };
  }

  function scheduleRestart(): void {
    if (restart || closing) return;
    restart = setTimeout(() => {
      restart = undefined;
      if (!closing && !current) consume().catch(() => scheduleRestart());
    }, reconnectDelayMs);
  }

  try {
    await consume();
  } catch (error) {
    closing = true;
    throw new WebhookError(
      "invalid_option",
      `hookgate: createWorker cannot consume RabbitMQ queue "${name}": ${(error as Error).message}; declare it at start-up with await amqpQueue({ connection, name }).setup()`,
      { cause: error },
    );
  }

  return {
    get running() {
      return running;
    },
    async close() {
      closing = true;
      clearTimeout(restart);
      const open = current;
      if (open) await open.channel.cancel(open.consumerTag).catch(() => {});
      if (running > 0) await new Promise<void>((resolve) => settled.push(resolve));
      if (open) await open.channel.close().catch(() => {});
    },
  };
}
