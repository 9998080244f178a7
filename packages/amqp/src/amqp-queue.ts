import { type IdempotencyStore, type Queue, WebhookError } from "@hookgate/core";
import { checkOption, encodeQueuedDelivery } from "@hookgate/core/kit";
import type { Channel, ConfirmChannel } from "amqplib";
import { publishConfirmed } from "./internal/publish-confirmed.js";
import { assertDeliveryQueues, deadLetterQueueOf } from "./internal/topology.js";
import { messageIdFor } from "./message-id.js";

/** The default queue name of {@link amqpQueue} and `createWorker`. */
export const DEFAULT_QUEUE_NAME = "hookgate-deliveries";

/**
 * What {@link amqpQueue} and `createWorker` open channels on: an amqplib `ChannelModel`
 * (`await amqp.connect(url)`), or a recovering one (`amqp.connect(url, { recovery: true })`), which
 * reconnects after a broker restart so the queue and the worker carry on.
 */
export interface AmqpConnectionLike {
  createChannel(): Promise<Channel>;
  createConfirmChannel(): Promise<ConfirmChannel>;
}

/** Options for {@link amqpQueue}. */
export interface AmqpQueueOptions {
  /** The connection to RabbitMQ, which you create and close. */
  connection: AmqpConnectionLike;
  /** The durable queue deliveries go to; workers consume the same name. @default "hookgate-deliveries" */
  name?: string;
  /**
   * A store shared by the receivers (their idempotency store will do): copies of one delivery
   * handed off by several receivers become one message, as RabbitMQ has no deduplication of its
   * own. Without it such copies (rare: a receiver gave up waiting for a confirm that then came)
   * are separate messages, and the worker's once-lease still runs the handlers once.
   */
  store?: IdempotencyStore;
  /** How long a delivery's message is remembered by `store`, in ms. @default 86400000 (a day) */
  dedupeWindowMs?: number;
}

/** A {@link Queue} on RabbitMQ. */
export interface AmqpQueue extends Queue {
  /** The connection it publishes on (what `amqpHealth(queue)` asks). */
  readonly connection: AmqpConnectionLike;
  /** The queue name. */
  readonly name: string;
  /** The dead-letter queue's name: `${name}.dead-letters`. */
  readonly deadLetter: string;
  /**
   * Declares the durable queue and its dead-letter queue if missing. Idempotent; run it at
   * start-up (a message to a queue that does not exist is refused, not lost).
   */
  setup(): Promise<void>;
  /** Closes the queue's channel (not the connection). */
  close(): Promise<void>;
}

/**
 * Hands deliveries to RabbitMQ: each is a persistent message on a durable queue, published on a
 * confirm channel, and `enqueue` resolves only once the broker confirmed it, so the receiver
 * answers 202 only for a delivery that survives a crash. How long the receiver waits is its
 * `queueTimeoutMs`; a refused, unroutable or late publish is answered 503 `queue_unavailable`.
 * Consume with `createWorker` from this package.
 *
 * @example
 * const connection = await amqp.connect(process.env.AMQP_URL!, { recovery: true });
 * const queue = amqpQueue({ connection, store });
 * await queue.setup();
 * createReceiver({ scheme, store, queue });
 */
export function amqpQueue(options: AmqpQueueOptions): AmqpQueue {
  checkOption.object("amqpQueue", options, true);
  const { connection, store } = options;
  if (!connection || typeof connection.createConfirmChannel !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: amqpQueue needs `connection`, an amqplib connection: amqpQueue({ connection: await amqp.connect(url) })",
    );
  }
  if (store !== undefined && typeof store?.claim !== "function") {
    throw new WebhookError("invalid_option", "hookgate: amqpQueue option store must be an IdempotencyStore");
  }
  const name = checkOption.string("amqpQueue option name", options.name, DEFAULT_QUEUE_NAME);
  const dedupeWindowMs = checkOption.whole(
    "amqpQueue option dedupeWindowMs",
    options.dedupeWindowMs,
    86_400_000,
  );

  // One confirm channel, opened on first use and again after it closed (a broker restart).
  let open: Promise<ConfirmChannel> | undefined;
  function channel(): Promise<ConfirmChannel> {
    if (open) return open;
    const opening = connection.createConfirmChannel().then((created) => {
      created.on("error", () => {}); // its close follows; the publish in progress rejects
      created.on("close", () => {
        if (open === opening) open = undefined;
      });
      return created;
    });
    opening.catch(() => {
      if (open === opening) open = undefined;
    });
    open = opening;
    return opening;
  }

  async function publish(delivery: Parameters<Queue["enqueue"]>[0], messageId: string): Promise<void> {
    const body = encodeQueuedDelivery(delivery);
    await publishConfirmed(
      await channel(),
      name,
      Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      {
        messageId,
        type: delivery.type,
        contentType: "application/json",
        timestamp: Math.floor(Date.now() / 1000),
      },
    );
  }

  return {
    connection,
    name,
    deadLetter: deadLetterQueueOf(name),
    async setup() {
      const created = await connection.createChannel();
      try {
        await assertDeliveryQueues(created, name);
      } finally {
        await created.close().catch(() => {});
      }
    },
    async enqueue(delivery) {
      const messageId = messageIdFor(delivery);
      if (!store) return publish(delivery, messageId);
      // Marked only once confirmed: a publish that failed never hides the sender's retry.
      const mark = `amqp-enqueued:${name}:${messageId}`;
      const claim = await store.claim(mark, { lockMs: 30_000, ttlMs: dedupeWindowMs });
      if (claim.status === "completed") return;
      if (claim.status !== "claimed") return publish(delivery, messageId); // a copy racing this one
      try {
        await publish(delivery, messageId);
      } catch (error) {
        await store.release(mark, claim.token).catch(() => {});
        throw error;
      }
      await store.complete(mark, claim.token, { ttlMs: dedupeWindowMs }).catch(() => {});
    },
    async close() {
      const current = open;
      open = undefined;
      if (current) await (await current.catch(() => undefined))?.close().catch(() => {});
    },
  };
}
