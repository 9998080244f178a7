import { WebhookError } from "../errors.js";
import { bounded } from "../internal/bounded.js";
import type { WebhookEvent } from "../queue.js";
import type { Settings } from "./options.js";

/** A claimed key and the token that holds it. */
export interface Lease {
  key: string;
  token: string;
}

/** A store call bounded by `storeTimeoutMs`; any failure becomes 503 `store_unavailable`. */
export function storeCall<T>(settings: Settings, call: () => Promise<T>): Promise<T> {
  return bounded(call, settings.storeTimeoutMs, "store_unavailable", {
    timedOut: `the idempotency store did not answer within storeTimeoutMs (${settings.storeTimeoutMs} ms)`,
    failed: "the idempotency store is unavailable",
  });
}

function leaseLost(event: WebhookEvent): WebhookError {
  return new WebhookError(
    "store_unavailable",
    `hookgate: the lease on delivery ${event.id} was lost (it outlived lockMs and was claimed elsewhere); raise lockMs above the slowest handler`,
  );
}

type Report = (error: unknown) => void;

/**
 * Renews the lease every `lockMs / 3` while handlers run, so a sender's retry meanwhile gets 409
 * instead of running them a second time at once. Returns the function that stops renewing.
 */
export function holdLease(settings: Settings, lease: Lease, event: WebhookEvent, report: Report): () => void {
  const { store, lockMs } = settings;
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
}

/**
 * Marks the key done. Once handled or enqueued, the delivery is safe: a failure to record that
 * only risks a duplicate run after the lease expires, so it is reported and the 2xx still goes out.
 */
export async function completeLease(settings: Settings, lease: Lease, event: WebhookEvent, report: Report) {
  try {
    const held = await storeCall(settings, () =>
      settings.store.complete(lease.key, lease.token, { ttlMs: settings.ttlMs }),
    );
    if (!held) report(leaseLost(event));
  } catch (error) {
    report(error);
  }
}

/** Frees the key so the sender's retry is processed; best effort, never throws. */
export async function releaseLease(settings: Settings, lease: Lease, report: Report): Promise<void> {
  try {
    await storeCall(settings, () => Promise.resolve(settings.store.release(lease.key, lease.token)));
  } catch (error) {
    report(error);
  }
}
