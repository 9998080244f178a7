import { WebhookError } from "../errors.js";
import { nextAttempt } from "../queue/retry-policy.js";
import type { Handlers } from "./handlers.js";
import type { Intake } from "./intake.js";
import { journalSettled } from "./journal.js";
import { holdLease, releaseLease } from "./lease.js";
import type { Settings } from "./options.js";
import { settleSuccess } from "./settle.js";

/** What work that outlived its deadline needs of the receiver. */
export interface LateWork<T> {
  settings: Settings;
  handlers: Handlers;
  /** The delivery, claimed: its lease is held until it is settled or given up. */
  intake: Intake;
  /** The first run, already started and not settled when the sender was answered. */
  first: Promise<T>;
  /** Runs the work again, for a retry. */
  again: () => Promise<T>;
  /** Called with the value of the run that succeeded, once the delivery is settled. */
  done?: ((value: T) => unknown) | undefined;
  /** The receiver's `deadLetter`, with the delivery's key. */
  deadLetter: (error: unknown) => Promise<void>;
  /** The request's `waitUntil`, to keep the work alive after the answer on edge runtimes. */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
  /** Runs after the work succeeded, before the delivery is settled (the ordering watermark). */
  beforeSettle?: (() => Promise<void>) | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Carries on work the sender was already answered for (202 `accepted`, a deferred reply): holds
 * the lease while it runs, then settles the delivery as `handled` (journal, complete the key, so
 * the sender's retry is a duplicate). The sender will not retry a 2xx, so a failure is retried here
 * with the receiver's `retry` policy (`nextAttempt`, as memoryQueue does) and, when it gives up,
 * the key is released and the delivery marked `dead` through `deadLetter`: never silently lost.
 */
export function continueLate<T>(work: LateWork<T>): Promise<void> {
  const { settings, handlers, intake } = work;
  const { event } = intake;
  const lease = intake.lease!;
  const report = (error: unknown) => handlers.report(error, { delivery: event });
  const finish = async (): Promise<void> => {
    let running = work.first;
    let attempt = 1;
    for (;;) {
      let value: T;
      try {
        value = await running;
      } catch (cause) {
        const error = new WebhookError("handler_failed", "hookgate: a handler failed after the deadline", {
          cause,
        });
        report(error);
        await journalSettled(settings, event, lease, "failed", error).catch(report);
        const next = nextAttempt(settings.retry, cause, attempt);
        if (!next) {
          await releaseLease(settings, lease, report);
          return work.deadLetter(cause);
        }
        await sleep(next.afterMs);
        attempt = next.attempt;
        running = work.again();
        continue;
      }
      await work.beforeSettle?.();
      await settleSuccess(settings, handlers, intake, "handled");
      try {
        await work.done?.(value);
      } catch (error) {
        report(error);
      }
      return;
    }
  };
  const promise = finish().catch(report);
  holdLease(settings, lease, event, report, promise);
  work.waitUntil?.(promise);
  return promise;
}
