import { type QueuedDelivery, type Receiver, WebhookError } from "@hookgate/core";
import {
  checkOption,
  classifyDispatchFailure,
  decodeQueuedDelivery,
  exponentialBackoff,
  nextAttempt,
  type RetryPolicy,
} from "@hookgate/core/kit";
import { type ConsumerMessages, type JsMsg, jetstream } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { deadLetterSubjectOf } from "./internal/topology.js";
import { DEFAULT_CONSUMER_NAME, DEFAULT_STREAM_NAME, type NatsConnectionLike } from "./nats-queue.js";

/** Options for {@link createWorker}. */
export interface NatsWorkerOptions {
  connection: NatsConnectionLike;
  /** The stream, as given to `natsQueue`. @default "hookgate-deliveries" */
  name?: string;
  /** The durable consumer, as given to `natsQueue`. @default "hookgate-workers" */
  consumer?: string;
  /** Deliveries this process runs at once. @default 4 */
  concurrency?: number;
  /** Re-verify each delivery's signature, as of its receipt, before running handlers. @default false */
  verify?: boolean;
  /** The wait before the first retry, doubled at each retry (1 s, 2 s, 4 s …). @default 1000 */
  backoffMs?: number;
  /** The longest wait between two retries. @default 300000 */
  maxBackoffMs?: number;
  /**
   * How long a delivery waits when another worker is running it (`in_flight`) before it is looked
   * at again. The message is held meanwhile (kept alive with `working()`), so such a wait does
   * not use up a delivery. @default 5000
   */
  inFlightDelayMs?: number;
}

/** A running {@link createWorker}. */
export interface NatsWorker {
  /** Deliveries running now. */
  readonly running: number;
  /** Stops fetching and resolves once the deliveries running now have settled. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Consumes the deliveries `natsQueue` published, from the stream's durable pull consumer, and runs
 * the receiver's handlers for each, once: `receiver.dispatch(delivery, { once: true })` claims a
 * per-delivery key in the receiver's store, so a message delivered again (its worker died before
 * the ack) never runs the handlers twice once they completed. A message is acknowledged only
 * after its delivery was handled or settled; while a handler runs the worker tells JetStream it
 * is `working()`, and a crashed worker's messages are delivered again after the consumer's
 * `ack_wait` (≤ 60 s). Failures follow `classifyDispatchFailure`: `in_flight` waits
 * `inFlightDelayMs` without spending a delivery; a handler error, a 5xx or a timeout is `nak`ed
 * with a backoff and delivered again, up to the consumer's `max_deliver`; a 4xx that cannot
 * succeed, or the last delivery, is published to the dead-letter subject, acknowledged, and
 * shown `dead` in the journal (`receiver.deadLetter`).
 *
 * @example
 * const worker = await createWorker(receiver, { connection, concurrency: 8 });
 * process.on("SIGTERM", async () => { await worker.close(); await connection.drain(); });
 */
export async function createWorker(
  receiver: Pick<Receiver, "dispatch"> & Partial<Pick<Receiver, "deadLetter">>,
  options: NatsWorkerOptions,
): Promise<NatsWorker> {
  checkOption.object("createWorker", options, true);
  const { connection } = options;
  const name = checkOption.string("createWorker option name", options.name, DEFAULT_STREAM_NAME);
  const consumerName = checkOption.string(
    "createWorker option consumer",
    options.consumer,
    DEFAULT_CONSUMER_NAME,
  );
  const concurrency = checkOption.whole("createWorker option concurrency", options.concurrency, 4);
  const verify = checkOption.boolean("createWorker option verify", options.verify, false);
  const backoffMs = checkOption.whole("createWorker option backoffMs", options.backoffMs, 1000);
  const maxBackoffMs = checkOption.whole("createWorker option maxBackoffMs", options.maxBackoffMs, 300_000);
  const inFlightDelayMs = checkOption.whole(
    "createWorker option inFlightDelayMs",
    options.inFlightDelayMs,
    5000,
  );
  if (!receiver || typeof receiver.dispatch !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: createWorker needs a receiver: createWorker(receiver, { connection })",
    );
  }
  if (!connection || typeof (connection as { request?: unknown }).request !== "function") {
    throw new WebhookError("invalid_option", "hookgate: createWorker needs `connection`, a NATS connection");
  }

  const js = jetstream(connection);
  let consumer: Awaited<ReturnType<typeof js.consumers.get>>;
  let ackWaitMs: number;
  let attempts: number;
  try {
    consumer = await js.consumers.get(name, consumerName);
    const { config } = await consumer.info(true);
    ackWaitMs = (config.ack_wait ?? 30_000_000_000) / 1_000_000;
    attempts = config.max_deliver && config.max_deliver > 0 ? config.max_deliver : Number.POSITIVE_INFINITY;
  } catch (error) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: createWorker cannot read consumer "${consumerName}" of JetStream stream "${name}": ${(error as Error).message}; create both at start-up with await natsQueue({ connection, name }).setup()`,
      { cause: error },
    );
  }

  const policy: RetryPolicy = {
    attempts,
    inFlightDelayMs,
    delay: exponentialBackoff(backoffMs, maxBackoffMs),
  };
  let running = 0;
  let closing = false;
  const freed: Array<() => void> = [];
  const dispatchOptions = { once: true, verify };

  /** Dispatches until it settles one way or the other; `in_flight` is waited out here. */
  async function dispatch(delivery: QueuedDelivery): Promise<unknown> {
    for (;;) {
      try {
        await receiver.dispatch(delivery, dispatchOptions);
        return undefined;
      } catch (error) {
        if (classifyDispatchFailure(error) !== "later" || closing) return error;
        await sleep(inFlightDelayMs);
      }
    }
  }

  async function giveUp(message: JsMsg, delivery: QueuedDelivery | undefined, error: unknown) {
    const reason = headers();
    reason.set(
      "Hookgate-Error",
      String((error as { code?: unknown }).code ?? (error as Error).name ?? "Error"),
    );
    await js.publish(deadLetterSubjectOf(name), message.data, {
      msgID: `dead-${message.info.streamSequence}`,
      headers: reason,
    });
    message.ack();
    if (delivery && receiver.deadLetter) await receiver.deadLetter(delivery, error).catch(() => {});
  }

  async function settle(message: JsMsg): Promise<void> {
    // Tells JetStream the message is being worked on, so ack_wait only bounds a dead worker.
    const heartbeat = setInterval(() => message.working(), Math.max(250, ackWaitMs / 3));
    try {
      let delivery: QueuedDelivery | undefined;
      let error: unknown;
      try {
        delivery = decodeQueuedDelivery(message.data, "JetStream");
        error = await dispatch(delivery);
      } catch (decodeError) {
        error = decodeError;
      }
      if (error === undefined) return message.ack();
      // The retry policy every worker shares (`nextAttempt` in @hookgate/core/kit); `later` only
      // when closing (an in-flight delivery is waited out in `dispatch`).
      const next = nextAttempt(policy, error, message.info.deliveryCount);
      if (next) return message.nak(next.afterMs);
      await giveUp(message, delivery, error);
    } finally {
      clearInterval(heartbeat);
    }
  }

  function start(message: JsMsg): void {
    running++;
    settle(message)
      // An unacknowledged message is delivered again after ack_wait.
      .catch(() => {})
      .finally(() => {
        running--;
        freed.shift()?.();
      });
  }

  let messages: ConsumerMessages | undefined;
  async function consume(): Promise<void> {
    while (!closing) {
      try {
        messages = await consumer.consume({ max_messages: concurrency });
        for await (const message of messages) {
          start(message);
          // Take no more messages than there are free slots.
          while (running >= concurrency && !closing)
            await new Promise<void>((resolve) => freed.push(resolve));
        }
      } catch {
        // The consumer went away for a while (a server restart): consume again.
      }
      if (!closing) await sleep(1000);
    }
  }
  const loop = consume();

  return {
    get running() {
      return running;
    },
    async close() {
      closing = true;
      await messages?.close().catch(() => {});
      for (const resolve of freed.splice(0)) resolve();
      while (running > 0) await sleep(10);
      await loop;
    },
  };
}
