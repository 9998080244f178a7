import { type QueuedDelivery, type Receiver, WebhookError } from "@hookgate/core";
import { checkOption, classifyDispatchFailure } from "@hookgate/core/kit";
import type {
  ExecutionContextLike,
  MessageBatchLike,
  QueueBinding,
  QueueMessage,
} from "./internal/bindings.js";

/** Options for {@link createQueueConsumer}. */
export interface QueueConsumerOptions {
  /** Re-verify each delivery's signature and seal, as of its receipt, before running handlers. @default true */
  verify?: boolean;
  /**
   * The consumer's `max_retries` in wrangler.toml: a message whose handler failed on its last
   * attempt (`attempts > maxRetries`) is reported dead (`receiver.deadLetter`) and retried once
   * more, so Cloudflare moves it to the `dead_letter_queue` if one is set. @default 3 (Cloudflare's)
   */
  maxRetries?: number;
  /**
   * The producer binding of this same queue, e.g. `"WEBHOOKS"`. A delivery another consumer is
   * running right now (`in_flight`) is then sent again after `inFlightDelayMs` and this message
   * acknowledged, without spending a retry; without it, the message is retried (spending one).
   */
  producer?: string;
  /** How long a delivery in flight elsewhere waits before it is looked at again, in ms (whole seconds on Cloudflare). @default 5000 */
  inFlightDelayMs?: number;
  /** Seconds before a failed handler's retry; without it, the consumer's `retry_delay` applies. */
  retryDelaySeconds?: number;
}

/** The Worker's `queue(batch, env, ctx)` handler. */
export type QueueConsumer = (
  batch: MessageBatchLike,
  env?: unknown,
  ctx?: ExecutionContextLike,
) => Promise<void>;

/** Cloudflare takes whole seconds, at most 12 hours. */
const seconds = (ms: number) => Math.min(43_200, Math.max(0, Math.ceil(ms / 1000)));

/**
 * The Worker's `queue` handler for deliveries `cloudflareQueue` sent: each message runs
 * `receiver.dispatch(delivery, { once: true, verify })`, so its handlers run once across retries,
 * redeliveries and consumers, on a verified delivery. Failures follow core's
 * `classifyDispatchFailure`, like every hookgate worker: a handler failure, 5xx or timeout is
 * retried (`message.retry`); a delivery in flight elsewhere waits `inFlightDelayMs` (sent again
 * through `producer` without spending a retry); a 4xx that cannot succeed is given up at once. A
 * message given up or past its last retry is shown `dead` in the journal (`receiver.deadLetter`).
 *
 * @example
 * export default { fetch: …, queue: createQueueConsumer(receiver, { producer: "WEBHOOKS" }) };
 */
export function createQueueConsumer(
  receiver: Pick<Receiver, "dispatch"> & Partial<Pick<Receiver, "deadLetter">>,
  options: QueueConsumerOptions = {},
): QueueConsumer {
  checkOption.object("createQueueConsumer", options);
  if (!receiver || typeof receiver.dispatch !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: createQueueConsumer needs a receiver (createReceiver)",
    );
  }
  const verify = checkOption.boolean("createQueueConsumer option verify", options.verify, true);
  const maxRetries = checkOption.whole("createQueueConsumer option maxRetries", options.maxRetries, 3, 0);
  const inFlightDelayMs = checkOption.whole(
    "createQueueConsumer option inFlightDelayMs",
    options.inFlightDelayMs,
    5000,
    0,
  );
  const producer = checkOption.string("createQueueConsumer option producer", options.producer, "", true);
  const retryDelaySeconds =
    options.retryDelaySeconds === undefined
      ? undefined
      : checkOption.whole("createQueueConsumer option retryDelaySeconds", options.retryDelaySeconds, 0, 0);
  const dispatchOptions = { once: true, verify };

  async function reportDead(message: QueueMessage, error: unknown): Promise<void> {
    await receiver.deadLetter?.(message.body as QueuedDelivery, error).catch(() => {});
  }

  async function settleFailure(message: QueueMessage, error: unknown, env: unknown): Promise<void> {
    const action = classifyDispatchFailure(error);
    if (action === "later") {
      const delaySeconds = seconds(inFlightDelayMs);
      const queue = producer ? (env as Record<string, QueueBinding> | undefined)?.[producer] : undefined;
      if (!queue) return message.retry({ delaySeconds });
      await queue.send(message.body, { contentType: "json", delaySeconds });
      return message.ack();
    }
    if (action === "give-up") {
      await reportDead(message, error);
      return message.ack();
    }
    // Past its last retry, Cloudflare moves the message to the dead-letter queue (or drops it).
    if (message.attempts > maxRetries) await reportDead(message, error);
    message.retry(retryDelaySeconds === undefined ? undefined : { delaySeconds: retryDelaySeconds });
  }

  async function run(message: QueueMessage, env: unknown): Promise<void> {
    try {
      await receiver.dispatch(message.body as QueuedDelivery, dispatchOptions);
      message.ack();
    } catch (error) {
      try {
        await settleFailure(message, error, env);
      } catch {
        message.retry(); // the put-back failed: retry it the ordinary way
      }
    }
  }

  return async (batch, env) => {
    await Promise.all(batch.messages.map((message) => run(message, env)));
  };
}
