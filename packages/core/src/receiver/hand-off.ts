import { WebhookError } from "../errors.js";
import { bounded } from "../internal/bounded.js";
import { journalHeaders } from "../journal/redact.js";
import { type QueuedDelivery, toQueuedDelivery } from "../queue.js";
import type { WebhookEvent } from "../types.js";
import type { Handlers } from "./handlers.js";
import type { Intake } from "./intake.js";
import { holdLease } from "./lease.js";
import type { Settings } from "./options.js";
import { keptOf, seal } from "./seal.js";

/**
 * Hands a verified, claimed delivery on: with a `queue`, enqueues it (resolving once the queue
 * has durably accepted it: 202); without one, runs the handlers inline while holding the lease
 * (200). Any failure throws, and the caller releases the key so the sender's retry is processed.
 */
export function handOff(
  settings: Settings,
  handlers: Handlers,
  intake: Intake,
  enqueue: ((delivery: QueuedDelivery) => Promise<void>) | undefined,
): Promise<"queued" | "handled"> {
  if (enqueue) return enqueueEvent(settings, handlers, intake, enqueue);
  const { event } = intake;
  const running = handlers.run(event);
  holdLease(settings, intake.lease!, event, (error) => handlers.report(error, { delivery: event }), running);
  return running.then(
    () => "handled",
    (cause: unknown) => {
      throw new WebhookError("handler_failed", "hookgate: a handler failed; the sender should retry", {
        cause,
      });
    },
  );
}

/** Resolves once the queue has durably accepted the delivery. */
function enqueueEvent(
  settings: Settings,
  handlers: Handlers,
  intake: Intake,
  enqueue: (delivery: QueuedDelivery) => Promise<void>,
): Promise<"queued"> {
  const { event, request, key, tenant } = intake;
  const headers = journalHeaders(request.headers, settings.scheme, []);
  const kept = keptOf(event, key, tenant, headers, request);
  const queued = toQueuedDelivery(event, headers, request.url, key);
  if (tenant !== "") queued.tenant = tenant;
  if (kept.params) queued.params = { ...kept.params };
  // Sealed at once where node:crypto is present (no promise turn before the hand-off).
  const sealed = seal(settings, intake.proof?.key, kept);
  if (sealed instanceof Promise) {
    return sealed.then((value) => {
      queued.seal = value;
      return enqueueSealed(settings, handlers, event, queued, enqueue);
    });
  }
  queued.seal = sealed;
  return enqueueSealed(settings, handlers, event, queued, enqueue);
}

function enqueueSealed(
  settings: Settings,
  handlers: Handlers,
  event: WebhookEvent,
  queued: QueuedDelivery,
  enqueue: (delivery: QueuedDelivery) => Promise<void>,
): Promise<"queued"> {
  return bounded(() => enqueue(queued), settings.bounds.queue).then(() => {
    handlers.emit({ kind: "enqueued", id: event.id, type: event.type });
    return "queued";
  });
}
