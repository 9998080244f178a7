import { WebhookError } from "../errors.js";
import { bounded, boundedFailure } from "../internal/bounded.js";
import type { InProcessJob, QueuedDelivery } from "../queue.js";
import type { WebhookEvent } from "../types.js";
import type { Handlers } from "./handlers.js";
import type { Intake } from "./intake.js";
import { holdLease } from "./lease.js";
import type { Settings } from "./options.js";
import { HandedJob, sealedJob } from "./queued-job.js";

/**
 * Hands a verified, claimed delivery on: with a `queue`, enqueues it (resolving once the queue
 * has durably accepted it: 202; a queue whose jobs never leave the process is handed the intake
 * itself, unsealed, and answers at once, with no promise); without one, runs the handlers inline
 * while holding the lease (200). Any failure throws (or rejects), and the caller releases the key
 * so the sender's retry is processed.
 */
export function handOff(
  settings: Settings,
  handlers: Handlers,
  intake: Intake,
  enqueue: ((delivery: QueuedDelivery) => Promise<void>) | undefined,
  enqueueInProcess?: ((job: InProcessJob) => void) | undefined,
): "queued" | Promise<"queued" | "handled"> {
  if (enqueueInProcess) return holdInProcess(settings, handlers, intake, enqueueInProcess);
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
  const job = sealedJob(settings, intake);
  if (job instanceof Promise)
    return job.then((sealed) => enqueueSealed(settings, handlers, intake.event, sealed, enqueue));
  return enqueueSealed(settings, handlers, intake.event, job, enqueue);
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

/**
 * Hands the intake to a queue whose jobs never leave the process: nothing crosses a trust
 * boundary, so nothing is serialized or sealed, and nothing is awaited (the queue holds the job
 * at once, or throws to refuse it).
 */
function holdInProcess(
  settings: Settings,
  handlers: Handlers,
  intake: Intake,
  enqueue: (job: InProcessJob) => void,
): "queued" {
  const { event } = intake;
  try {
    enqueue(new HandedJob(settings, handlers, intake));
  } catch (cause) {
    throw boundedFailure(settings.bounds.queue, cause);
  }
  if (handlers.observed) handlers.emit({ kind: "enqueued", id: event.id, type: event.type });
  return "queued";
}
