import { WebhookError } from "../errors.js";
import { extend } from "../internal/extend.js";
import { accepted } from "./answers.js";
import { continueLate } from "./continue-late.js";
import type { Handlers } from "./handlers.js";
import type { Intake } from "./intake.js";
import { holdLease } from "./lease.js";
import type { Settings } from "./options.js";
import { settleSuccess } from "./settle.js";
import type { HandleResult } from "./types.js";

/** The work's value if it settles within `ms`, `late` if not; a rejection within `ms` rejects. */
export function withinDeadline<T>(
  work: Promise<T>,
  ms: number | undefined,
): Promise<{ late: false; value: T } | { late: true }> {
  const onTime = work.then((value) => ({ late: false as const, value }));
  if (ms === undefined) return onTime;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<{ late: true }>((resolve) => {
    timer = setTimeout(() => resolve({ late: true }), ms);
  });
  return Promise.race([onTime, late]).finally(() => clearTimeout(timer));
}

/** What a guarded run needs of the receiver and the request. */
export interface DeadlineRun {
  settings: Settings;
  handlers: Handlers;
  /** The delivery, claimed: its lease is held while the work runs. */
  intake: Intake;
  deadLetter: (error: unknown) => Promise<void>;
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
  /** Runs after the handlers succeeded, before the delivery is settled (the ordering watermark). */
  beforeSettle?: (() => Promise<void>) | undefined;
}

/**
 * Runs the handlers inline (no queue) against `deadlineMs`: done in time, the answer is 200
 * `handled` as without a guard, and a failure in time is a 500 the sender retries. Still running
 * at the deadline, the answer is 202 `accepted` and the handlers go on (see `continueLate`).
 */
export async function handleWithDeadline(run: DeadlineRun): Promise<HandleResult> {
  const { settings, handlers, intake } = run;
  const { event } = intake;
  const lease = intake.lease!;
  const first = handlers.run(event);
  holdLease(settings, lease, event, (error) => handlers.report(error, { delivery: event }), first);
  const raced = await withinDeadline(first, settings.deadlineMs).catch((cause: unknown) => {
    throw new WebhookError("handler_failed", "hookgate: a handler failed; the sender should retry", {
      cause,
    });
  });
  if (!raced.late) {
    await run.beforeSettle?.();
    await settleSuccess(settings, handlers, intake, "handled");
    return accepted("handled", 200, event.id);
  }
  void continueLate(extend(run, { first, again: () => handlers.run(event) }));
  return accepted("accepted", 202, event.id);
}
