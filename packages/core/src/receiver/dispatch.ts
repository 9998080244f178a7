import { extend } from "../internal/extend.js";
import { fromQueuedDelivery, type QueuedDelivery } from "../queue.js";
import type { Delivery, WebhookEvent } from "../types.js";
import { claimKey, idempotencyKey } from "./claim.js";
import type { Handlers } from "./handlers.js";
import { identityOf } from "./identity.js";
import { type Intake, intakeOf } from "./intake.js";
import { journalAttempt } from "./journal.js";
import { completeLease, holdLease, releaseLease } from "./lease.js";
import type { Settings } from "./options.js";
import { advanceOrder, isReplayKey, judgeOrder, recordStale } from "./ordering.js";
import { reverify } from "./reverify.js";
import type { DispatchOptions } from "./types.js";

function isQueued(delivery: Delivery | WebhookEvent | QueuedDelivery): delivery is QueuedDelivery {
  return typeof delivery.rawBody === "string";
}

/**
 * The intake a queued delivery stands for. With `verify`, the job is verified again (see
 * `reverify`): its signature as of its receipt, and the receiver's seal over its key, tenant,
 * receipt time, params and headers; id, type and payload come from the signed bytes — a tampered
 * job never reaches a handler, and a captured one cannot run again under a fresh key. The job's
 * key and tenant (sealed, when verified) are the intake's: a copy of the job is the same delivery.
 */
async function queuedIntake(settings: Settings, queued: QueuedDelivery, verify: boolean): Promise<Intake> {
  const event = fromQueuedDelivery(queued);
  const request = { headers: queued.headers, url: queued.url, params: queued.params };
  if (!verify) return keyed(intakeOf(event, undefined, request), queued);
  // The job as kept: its key, tenant and receipt time are trusted only if the seal holds.
  const kept = {
    ...queued,
    key: queued.key ?? "",
    tenant: queued.tenant ?? "",
    receivedAt: event.receivedAt,
    rawBody: event.rawBody,
  };
  const reverified = await reverify(settings, kept, queued.seal);
  return keyed(intakeOf(reverified.event, reverified.proof, request), queued);
}

/** A job's own key and tenant, where it has a key. */
function keyed(intake: Intake, queued: QueuedDelivery): Intake {
  if (queued.key) {
    intake.key = queued.key;
    intake.tenant = queued.tenant ?? "";
  }
  return intake;
}

/**
 * Runs the handlers for a delivery: what queue workers and tests call (see `Receiver.dispatch`).
 * A delivery given as is (not a queued job) has no proof: its tenant is the identity of the
 * scheme's static secrets, so any copy of it — spread, cloned — is keyed alike.
 */
export function dispatchDelivery(
  settings: Settings,
  handlers: Handlers,
  delivery: Delivery | WebhookEvent | QueuedDelivery,
  options: DispatchOptions = {},
): Promise<void> {
  const once = options.once === true;
  if (isQueued(delivery)) {
    return queuedIntake(settings, delivery, options.verify === true).then((intake) =>
      dispatchIntake(settings, handlers, intake, once),
    );
  }
  const event = "receivedAt" in delivery ? delivery : extend(delivery, { receivedAt: settings.now() });
  return dispatchIntake(settings, handlers, intakeOf(event, undefined, { headers: {} }), once);
}

/**
 * Runs the handlers for an intake (a job, a delivery, a replayed journal row), with its journal row
 * and once-lease under its key (its own, or made here from its tenant). A `replay` runs whatever
 * the ordering watermark says.
 */
export function dispatchIntake(
  settings: Settings,
  handlers: Handlers,
  intake: Intake,
  once: boolean,
  replay = false,
): Promise<void> {
  // No once-lease, ordering guard or journal: nothing to claim, judge or record, only the handlers.
  if (!once && !settings.ordering && !settings.journal) {
    const { event } = intake;
    return handlers.run(event).then(undefined, (error: unknown) => {
      handlers.report(error, { delivery: event });
      throw error;
    });
  }
  return dispatchTracked(settings, handlers, intake, once, replay);
}

async function dispatchTracked(
  settings: Settings,
  handlers: Handlers,
  intake: Intake,
  once: boolean,
  replay: boolean,
): Promise<void> {
  const { event } = intake;
  const report = (error: unknown) => handlers.report(error, { delivery: event });
  // Only a journal row, a once-lease or the ordering guard needs the tenant (and the first two the key).
  const known = intake.key !== "";
  if (!known && (settings.journal || once || settings.ordering)) {
    intake.tenant = await identityOf(settings, intake);
    if (settings.journal || once) intake.key = await idempotencyKey(settings, intake);
  }
  const row = { id: event.id, key: intake.key || event.id };
  const run = async () => {
    // Judged when the work is applied; a replay (a replay's row, or a replay job's key) runs regardless.
    const order =
      settings.ordering && !replay && !isReplayKey(row.key) ? await judgeOrder(settings, intake) : undefined;
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
  if (!once) return run();

  // The same claim as a request's (one place decides duplicate and 409), on the handled-key.
  const claim = await claimKey(settings, `handled:${row.key}`, event.id);
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
