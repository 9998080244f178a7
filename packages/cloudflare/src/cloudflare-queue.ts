import { type IdempotencyStore, type Queue, type QueuedDelivery, WebhookError } from "@hookgate/core";
import { checkOption } from "@hookgate/core/kit";
import type { QueueBinding } from "./internal/bindings.js";

/** Options for {@link cloudflareQueue}. */
export interface CloudflareQueueOptions {
  /** The Queue's producer binding, e.g. `env.WEBHOOKS`. */
  queue: QueueBinding;
  /**
   * Makes copies of one delivery (the same idempotency key, sent by two receivers) one message:
   * each key is sent once while remembered (Cloudflare Queues have no message ids to dedupe by).
   * Use a store every Worker shares: `d1Store` or `durableObjectStore`. Without it every copy is
   * sent, and the consumer's once-lease still runs the handlers once.
   */
  store?: IdempotencyStore;
  /** How long a sent key is remembered by `store`, in ms. @default 86_400_000 (a day) */
  dedupeMs?: number;
}

/** How long one copy's send may hold the key before another copy may try, in ms. */
const SEND_LEASE_MS = 30_000;
/** Pause between looks while another copy of the delivery is being sent, in ms. */
const COPY_POLL_MS = 25;

/**
 * Hands deliveries to a Cloudflare Queue: `enqueue` resolves once `send` resolved, that is once
 * the queue durably accepted the message, so the receiver answers 202 only then; a failed send
 * rejects (503 `queue_unavailable`, the key released). The message body is the `QueuedDelivery`,
 * plain JSON. Consume it with `createQueueConsumer(receiver)` as the Worker's `queue` handler.
 *
 * @example
 * const receiver = createReceiver({ scheme, store, queue: cloudflareQueue({ queue: env.WEBHOOKS }) });
 */
export function cloudflareQueue(options: CloudflareQueueOptions): Queue {
  checkOption.object("cloudflareQueue", options, true);
  const { queue, store } = options;
  if (!queue || typeof queue.send !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: cloudflareQueue needs { queue }, a Queue binding such as env.WEBHOOKS",
    );
  }
  if (store !== undefined && typeof store?.claim !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: cloudflareQueue option store must be an IdempotencyStore",
    );
  }
  const dedupeMs = checkOption.whole("cloudflareQueue option dedupeMs", options.dedupeMs, 86_400_000);
  const send = (delivery: QueuedDelivery) => queue.send(delivery, { contentType: "json" });

  async function sendOnce(delivery: QueuedDelivery, dedupe: IdempotencyStore): Promise<void> {
    const key = `queued:${delivery.key ?? delivery.id}`;
    for (;;) {
      const claim = await dedupe.claim(key, { lockMs: SEND_LEASE_MS, ttlMs: dedupeMs });
      if (claim.status === "completed") return; // a copy is already in the queue
      if (claim.status === "claimed") {
        try {
          await send(delivery);
        } catch (error) {
          await dedupe.release(key, claim.token).catch(() => {});
          throw error;
        }
        await dedupe.complete(key, claim.token, { ttlMs: dedupeMs });
        return;
      }
      // Another copy is being sent now: its send settles within moments, one way or the other.
      await new Promise((resolve) => setTimeout(resolve, COPY_POLL_MS));
    }
  }

  return {
    async enqueue(delivery) {
      if (store) await sendOnce(delivery, store);
      else await send(delivery);
    },
  };
}
