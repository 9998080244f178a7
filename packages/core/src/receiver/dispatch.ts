import { fromQueuedDelivery, type QueuedDelivery } from "../queue.js";
import { copyDelivery } from "../scheme/verified-signature.js";
import type { Delivery, WebhookEvent } from "../types.js";
import { claimKey, idempotencyKey } from "./claim.js";
import type { Handlers } from "./handlers.js";
import { identityOf } from "./identity.js";
import { journalAttempt } from "./journal.js";
import { completeLease, holdLease, releaseLease } from "./lease.js";
import type { Settings } from "./options.js";
import { advanceOrder, isReplayKey, judgeOrder, recordStale } from "./ordering.js";
import { reverify } from "./reverify.js";
import type { DispatchOptions } from "./types.js";

/**
 * A verified event with the key and tenant it was claimed under: what an in-process job is made
 * of (`receiver/queued-job.ts`). Only the receiver makes one; nothing passed in is taken for one.
 */
export class ClaimedEvent {
  constructor(
    /** The verified (and validated) event: each run gets a copy of it. */
    readonly event: WebhookEvent,
    readonly key: string,
    readonly tenant: string,
  ) {}
}

type Dispatched = Delivery | WebhookEvent | QueuedDelivery | ClaimedEvent;

function isClaimed(delivery: Dispatched): delivery is ClaimedEvent {
  return delivery instanceof ClaimedEvent;
}

function isQueued(delivery: Dispatched): delivery is QueuedDelivery {
  return typeof (delivery as QueuedDelivery).rawBody === "string";
}

/** A job that carries the key and tenant it was claimed under: a queued job with a key, or the receiver's own. */
function keyed(delivery: Dispatched): delivery is ClaimedEvent | (QueuedDelivery & { key: string }) {
  return isClaimed(delivery) || (isQueued(delivery) && !!delivery.key);
}

/**
 * The event a queued delivery stands for. With `verify`, the job is verified again (see
 * `reverify`): its signature as of its receipt, and the receiver's seal over its key, tenant,
 * receipt time, params and headers; id, type and payload come from the signed bytes — a tampered
 * job never reaches a handler, and a captured one cannot run again under a fresh key.
 */
async function eventOf(settings: Settings, queued: QueuedDelivery, verify: boolean): Promise<WebhookEvent> {
  const event = fromQueuedDelivery(queued);
  if (!verify) return event;
  // The job as kept: its key, tenant and receipt time are trusted only if the seal holds.
  const kept = {
    ...queued,
    key: queued.key ?? "",
    tenant: queued.tenant ?? "",
    receivedAt: event.receivedAt,
    rawBody: event.rawBody,
  };
  return reverify(settings, kept, queued.seal);
}

/** The key a dispatched delivery's journal row and once-lease use. */
async function keyOf(settings: Settings, delivery: Dispatched, event: WebhookEvent) {
  if (keyed(delivery)) return delivery.key;
  return idempotencyKey(settings, event, await identityOf(settings, event));
}

/** The tenant a delivery's keys carry: the job's (sealed, when verified), else the secrets' identity. */
async function tenantOf(settings: Settings, delivery: Dispatched, event: WebhookEvent): Promise<string> {
  if (keyed(delivery)) return delivery.tenant ?? "";
  return identityOf(settings, event);
}

/** Runs the handlers for a delivery: what queue workers and tests call (see `Receiver.dispatch`). */
export function dispatchDelivery(
  settings: Settings,
  handlers: Handlers,
  delivery: Dispatched,
  options: DispatchOptions = {},
  knownKey?: string,
): Promise<void> {
  if (isQueued(delivery)) {
    return eventOf(settings, delivery, options.verify === true).then((event) =>
      dispatchEvent(settings, handlers, delivery, event, options, knownKey),
    );
  }
  let event: WebhookEvent;
  try {
    event = isClaimed(delivery)
      ? // Each run gets its own copy of the event the request verified (and validated).
        { ...delivery.event }
      : "receivedAt" in delivery
        ? delivery
        : copyDelivery(delivery, { receivedAt: settings.now() });
  } catch (error) {
    return Promise.reject(error);
  }
  return dispatchEvent(settings, handlers, delivery, event, options, knownKey);
}

function dispatchEvent(
  settings: Settings,
  handlers: Handlers,
  delivery: Dispatched,
  event: WebhookEvent,
  options: DispatchOptions,
  knownKey: string | undefined,
): Promise<void> {
  // No once-lease, ordering guard or journal: nothing to claim, judge or record, only the handlers.
  if (!options.once && !settings.ordering && !settings.journal) {
    return handlers.run(event).then(undefined, (error: unknown) => {
      handlers.report(error, { delivery: event });
      throw error;
    });
  }
  return dispatchTracked(settings, handlers, delivery, event, options, knownKey);
}

async function dispatchTracked(
  settings: Settings,
  handlers: Handlers,
  delivery: Dispatched,
  event: WebhookEvent,
  options: DispatchOptions,
  knownKey: string | undefined,
): Promise<void> {
  const report = (error: unknown) => handlers.report(error, { delivery: event });
  // Only a journal row or a once-lease needs the key (and, for it, the tenant's identity).
  const deliveryKey =
    knownKey ?? (settings.journal || options.once ? await keyOf(settings, delivery, event) : event.id);
  const row = { id: event.id, key: deliveryKey };
  const run = async () => {
    // Judged when the work is applied; a replay (its key given, or a replay job's) runs regardless.
    const order =
      settings.ordering && knownKey === undefined && !isReplayKey(deliveryKey)
        ? await judgeOrder(settings, event, await tenantOf(settings, delivery, event))
        : undefined;
    if (order?.stale) return recordStale(settings, handlers, event, row, order);
    const started = performance.now();
    try {
      await handlers.run(event);
    } catch (error) {
      report(error);
      await journalAttempt(settings, row, performance.now() - started, error);
      throw error;
    }
    // Neither an ordering guard nor a journal configured: nothing to await.
    if (order) await advanceOrder(settings, order, report);
    if (settings.journal) await journalAttempt(settings, row, performance.now() - started);
  };
  if (!options.once) return run();

  // The same claim as a request's (one place decides duplicate and 409), on the handled-key.
  const claim = await claimKey(settings, `handled:${deliveryKey}`, event.id);
  if ("duplicate" in claim) {
    handlers.emit({ kind: "duplicate", id: event.id, type: event.type });
    return;
  }
  const { lease } = claim;
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
