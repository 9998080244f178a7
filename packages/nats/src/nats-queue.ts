import { type Queue, WebhookError } from "@hookgate/core";
import { checkOption, encodeQueuedDelivery } from "@hookgate/core/kit";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { deadLetterSubjectOf, deliveriesSubjectOf, ensureTopology } from "./internal/topology.js";
import { messageIdFor } from "./message-id.js";

/** The default stream of {@link natsQueue} and `createWorker`. */
export const DEFAULT_STREAM_NAME = "hookgate-deliveries";
/** The default durable consumer the workers share. */
export const DEFAULT_CONSUMER_NAME = "hookgate-workers";

/** A NATS connection (`await connect({ servers })` from `@nats-io/transport-node`), which you create and close. */
export type NatsConnectionLike = Parameters<typeof jetstream>[0];

/** Options for {@link natsQueue}. */
export interface NatsQueueOptions {
  connection: NatsConnectionLike;
  /** The JetStream stream (letters, digits, `-` and `_`). @default "hookgate-deliveries" */
  name?: string;
  /** The durable pull consumer the workers share. @default "hookgate-workers" */
  consumer?: string;
  /**
   * How long JetStream remembers a delivery's message id: copies of one delivery published
   * within it are stored once. Applied when `setup()` creates the stream. @default 120000
   */
  duplicateWindowMs?: number;
  /**
   * How long a worker may hold a message without acknowledging it before JetStream delivers it
   * again: the bound on recovering a crashed worker's deliveries. A running handler renews it
   * (`working()`), so a slow handler is not delivered twice. At most 60 s. @default 30000
   */
  ackWaitMs?: number;
  /**
   * Deliveries of a message (`max_deliver`), the first included: a delivery whose handlers keep
   * failing, or whose worker died this often, is dead-lettered. @default 10
   */
  attempts?: number;
}

/** A {@link Queue} on NATS JetStream. */
export interface NatsQueue extends Queue {
  /** The connection it publishes on (what `natsHealth(queue)` asks). */
  readonly connection: NatsConnectionLike;
  /** The stream. */
  readonly name: string;
  /** The durable consumer `setup()` creates for the workers. */
  readonly consumer: string;
  /** The subject deliveries are published on: `${name}.deliveries`. */
  readonly subject: string;
  /** The subject dead letters are published on: `${name}.dead-letters`. */
  readonly deadLetter: string;
  /** Creates the stream and the workers' durable consumer if missing. Idempotent; run it at start-up. */
  setup(): Promise<void>;
}

const STREAM_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Hands deliveries to NATS JetStream: each is published with `Nats-Msg-Id` set to the delivery's
 * key ({@link messageIdFor}), so copies of one delivery are stored once within the stream's
 * duplicate window, and `enqueue` resolves only once JetStream answered with its `PubAck` (the
 * message is stored). How long the receiver waits is its `queueTimeoutMs`; a refused or late
 * publish is answered 503 `queue_unavailable`. Consume with `createWorker` from this package.
 *
 * @example
 * const connection = await connect({ servers: process.env.NATS_URL });
 * const queue = natsQueue({ connection });
 * await queue.setup();
 * createReceiver({ scheme, store, queue });
 */
export function natsQueue(options: NatsQueueOptions): NatsQueue {
  checkOption.object("natsQueue", options, true);
  const { connection } = options;
  if (!connection || typeof (connection as { request?: unknown }).request !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: natsQueue needs `connection`, a NATS connection: natsQueue({ connection: await connect({ servers }) })",
    );
  }
  const name = checkOption.string("natsQueue option name", options.name, DEFAULT_STREAM_NAME);
  if (!STREAM_NAME.test(name)) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: natsQueue option name must be letters, digits, - and _ (a JetStream stream name), got ${JSON.stringify(name)}`,
    );
  }
  const consumer = checkOption.string("natsQueue option consumer", options.consumer, DEFAULT_CONSUMER_NAME);
  const duplicateWindowMs = checkOption.whole(
    "natsQueue option duplicateWindowMs",
    options.duplicateWindowMs,
    120_000,
    1000,
  );
  const ackWaitMs = checkOption.whole("natsQueue option ackWaitMs", options.ackWaitMs, 30_000, 1000);
  if (ackWaitMs > 60_000) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: natsQueue option ackWaitMs must be at most 60000 (a crashed worker's deliveries run again within it), got ${ackWaitMs}`,
    );
  }
  const attempts = checkOption.whole("natsQueue option attempts", options.attempts, 10);
  const subject = deliveriesSubjectOf(name);
  const js = jetstream(connection);

  return {
    connection,
    name,
    consumer,
    subject,
    deadLetter: deadLetterSubjectOf(name),
    async setup() {
      const jsm = await jetstreamManager(connection);
      await ensureTopology(jsm, { stream: name, consumer, duplicateWindowMs, ackWaitMs, attempts });
    },
    async enqueue(delivery) {
      // Resolves on the PubAck: stored (or a duplicate of a message stored within the window).
      await js.publish(subject, encodeQueuedDelivery(delivery), {
        msgID: messageIdFor(delivery),
        expect: { streamName: name },
      });
    },
  };
}
