import { WebhookError } from "../errors.js";
import { bounded } from "../internal/bounded.js";
import { journalHeaders } from "../journal/redact.js";
import { type QueuedDelivery, toQueuedDelivery } from "../queue.js";
import { matchedKeyOf } from "../scheme/verified-signature.js";
import type { HeadersInput, WebhookEvent } from "../types.js";
import type { Handlers } from "./handlers.js";
import { holdLease, type Lease } from "./lease.js";
import type { Settings } from "./options.js";
import { keptOf, seal } from "./seal.js";

/** What the hand-off needs of the request. */
export interface HandOffRequest {
  headers: HeadersInput;
  url?: string | undefined;
  params?: Readonly<Record<string, string>> | undefined;
}

/**
 * Hands a verified, claimed delivery on: with a `queue`, enqueues it (resolving once the queue
 * has durably accepted it: 202); without one, runs the handlers inline while holding the lease
 * (200). Any failure throws, and the caller releases the key so the sender's retry is processed.
 */
export function handOff(
  settings: Settings,
  handlers: Handlers,
  event: WebhookEvent,
  lease: Lease,
  tenant: string,
  request: HandOffRequest,
  enqueue: ((delivery: QueuedDelivery) => Promise<void>) | undefined,
): Promise<"queued" | "handled"> {
  if (enqueue) return enqueueEvent(settings, handlers, event, lease, tenant, request, enqueue);
  const running = handlers.run(event);
  holdLease(settings, lease, event, (error) => handlers.report(error, { delivery: event }), running);
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
async function enqueueEvent(
  settings: Settings,
  handlers: Handlers,
  event: WebhookEvent,
  lease: Lease,
  tenant: string,
  request: HandOffRequest,
  enqueue: (delivery: QueuedDelivery) => Promise<void>,
): Promise<"queued"> {
  const headers = journalHeaders(request.headers, settings.scheme, []);
  const kept = keptOf(event, lease.key, tenant, headers, request);
  const queued = toQueuedDelivery(event, headers, request.url, lease.key);
  if (tenant !== "") queued.tenant = tenant;
  if (kept.params) queued.params = { ...kept.params };
  // Sealed, so a worker trusts the key, tenant, receipt time and params only as this receiver wrote them.
  queued.seal = await seal(settings, matchedKeyOf(event), kept);
  // A queue that does not answer has not accepted: bounded like the store.
  await bounded(() => enqueue(queued), settings.bounds.queue);
  handlers.emit({ kind: "enqueued", id: event.id, type: event.type });
  return "queued";
}
