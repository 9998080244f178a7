import { WebhookError } from "../errors.js";
import { fromQueuedDelivery, type QueuedDelivery, type WebhookEvent } from "../queue.js";
import { copyDelivery } from "../scheme/verified-signature.js";
import type { Delivery } from "../types.js";
import { idempotencyKey } from "./claim.js";
import type { Handlers } from "./handlers.js";
import { journalAttempt } from "./journal.js";
import { completeLease, holdLease, releaseLease, storeCall } from "./lease.js";
import type { Settings } from "./options.js";
import type { DispatchOptions } from "./types.js";
import { validatePayload } from "./validate.js";

function isQueued(delivery: Delivery | WebhookEvent | QueuedDelivery): delivery is QueuedDelivery {
  return typeof delivery.rawBody === "string";
}

/**
 * The event a queued delivery stands for. With `verify`, its stored bytes are verified again as
 * of its receipt and id, type and payload come from them — a tampered queued payload or type never
 * reaches a handler.
 */
async function eventOf(settings: Settings, queued: QueuedDelivery, verify: boolean): Promise<WebhookEvent> {
  const event = fromQueuedDelivery(queued);
  if (!verify) return event;
  const verified = await settings.scheme.verify(
    { headers: queued.headers, rawBody: event.rawBody, url: queued.url },
    { tolerance: settings.tolerance, now: event.receivedAt },
  );
  const split = settings.scheme.split ? settings.scheme.split(verified) : [verified];
  const match = split.find((part) => part.id === queued.id);
  if (!match) {
    throw new WebhookError(
      "signature_mismatch",
      "hookgate: the queued delivery's id does not match its signed content",
    );
  }
  return copyDelivery(match, {
    receivedAt: event.receivedAt,
    payload: await validatePayload(settings, match.type, match.payload),
  });
}

/** Runs the handlers for a delivery: what queue workers and tests call (see `Receiver.dispatch`). */
export async function dispatchDelivery(
  settings: Settings,
  handlers: Handlers,
  delivery: Delivery | WebhookEvent | QueuedDelivery,
  options: DispatchOptions = {},
): Promise<void> {
  const event = isQueued(delivery)
    ? await eventOf(settings, delivery, options.verify === true)
    : "receivedAt" in delivery
      ? delivery
      : copyDelivery(delivery, { receivedAt: settings.now() });
  const report = (error: unknown) => handlers.report(error, { delivery: event });
  // The journal row is the queued job's key when it has one (its verified signature may be gone).
  const journaled = isQueued(delivery) && delivery.key ? { id: event.id, key: delivery.key } : event;
  const run = async () => {
    const started = performance.now();
    try {
      await handlers.run(event);
    } catch (error) {
      report(error);
      await journalAttempt(settings, journaled, performance.now() - started, error);
      throw error;
    }
    await journalAttempt(settings, journaled, performance.now() - started);
  };
  if (!options.once) return run();

  const key = `handled:${isQueued(delivery) && delivery.key ? delivery.key : idempotencyKey(settings, event)}`;
  const { store, lockMs, ttlMs } = settings;
  const claim = await storeCall(settings, () => store.claim(key, { lockMs, ttlMs }));
  if (claim.status === "completed") {
    handlers.emit({ kind: "duplicate", id: event.id, type: event.type });
    return;
  }
  if (claim.status === "in-flight") {
    throw new WebhookError(
      "in_flight",
      `hookgate: delivery ${event.id} is being handled elsewhere; retry later`,
      {
        headers: { "retry-after": String(Math.ceil(lockMs / 1000)) },
      },
    );
  }
  const lease = { key, token: claim.token };
  const running = run();
  holdLease(settings, lease, event, report, running);
  try {
    await running;
  } catch (error) {
    await releaseLease(settings, lease, report);
    throw error;
  }
  await completeLease(settings, lease, event, report);
}
