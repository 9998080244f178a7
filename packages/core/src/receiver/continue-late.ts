import { WebhookError } from "../errors.js";
import { nextAttempt } from "../queue/retry-policy.js";
import type { WebhookEvent } from "../types.js";
import type { Handlers } from "./handlers.js";
import { journalSettled } from "./journal.js";
import { holdLease, type Lease, releaseLease } from "./lease.js";
import type { Settings } from "./options.js";
import { settleSuccess } from "./settle.js";

/** What work that outlived its deadline needs of the receiver. */
export interface LateWork<T> {
  settings: Settings;
  handlers: Handlers;
  event: WebhookEvent;
  lease: Lease;
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
  const { settings, handlers, event, lease } = work;
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
      await settleSuccess(settings, handlers, event, lease, "handled");
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
