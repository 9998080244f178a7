import { WebhookError } from "../errors.js";
import { bounded } from "../internal/bounded.js";
import { whilePending } from "../internal/while-pending.js";
import { inProcessOf } from "../store/in-process.js";
import type { WebhookEvent } from "../types.js";
import type { Settings } from "./options.js";

/** A claimed key and the token that holds it. */
export interface Lease {
  key: string;
  token: string;
  /** When the delivery was journaled (`performance.now()`), for its hand-off's duration; absent when it was not. */
  journaledAt?: number | undefined;
}

/** A store call bounded by `storeTimeoutMs`; any failure becomes 503 `store_unavailable`. */
export function storeCall<T>(settings: Settings, call: () => Promise<T>): Promise<T> {
  return bounded(call, settings.bounds.store);
}

function leaseLost(event: WebhookEvent): WebhookError {
  return new WebhookError(
    "store_unavailable",
    `hookgate: the lease on delivery ${event.id} was lost (it outlived lockMs and was claimed elsewhere); raise lockMs above the slowest handler`,
  );
}

type Report = (error: unknown) => void;

/**
 * Renews the lease every `lockMs / 3` while `running` (the handlers) is pending, so a sender's
 * retry meanwhile gets 409 instead of running them a second time at once. Handlers that are done
 * within a few microtasks never needed renewing, and start no timer.
 */
export function holdLease(
  settings: Settings,
  lease: Lease,
  event: WebhookEvent,
  report: Report,
  running: Promise<unknown>,
): void {
  const { store, lockMs } = settings;
  whilePending(
    running,
    () => {
      const timer = setInterval(
        () => {
          storeCall(settings, () => store.extend(lease.key, lease.token, { lockMs })).then(
            (held) => held || report(leaseLost(event)),
            report,
          );
        },
        Math.floor(lockMs / 3),
      );
      (timer as { unref?: () => void }).unref?.();
      return () => clearInterval(timer);
    },
    3,
  );
}

/**
 * Marks the key done. Once handled or enqueued, the delivery is safe: a failure to record that
 * only risks a duplicate run after the lease expires, so it is reported and the 2xx still goes out.
 */
export function completeLease(
  settings: Settings,
  lease: Lease,
  event: WebhookEvent,
  report: Report,
): Promise<void> | undefined {
  // An in-process store (memoryStore) answers at once: no promise, no timeout to arm.
  const local = inProcessOf(settings.store);
  if (local) {
    try {
      if (!local.complete(lease.key, lease.token, { ttlMs: settings.ttlMs })) report(leaseLost(event));
    } catch (error) {
      report(error);
    }
    return undefined;
  }
  return storeCall(settings, () =>
    settings.store.complete(lease.key, lease.token, { ttlMs: settings.ttlMs }),
  ).then((held) => {
    if (!held) report(leaseLost(event));
  }, report);
}

/** Frees the key so the sender's retry is processed; best effort, never throws. */
export async function releaseLease(settings: Settings, lease: Lease, report: Report): Promise<void> {
  try {
    await storeCall(settings, () => Promise.resolve(settings.store.release(lease.key, lease.token)));
  } catch (error) {
    report(error);
  }
}
