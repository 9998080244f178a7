import type { WebhookError } from "./errors.js";

/** Seconds a sender is asked to wait after a dependency (store, journal, queue) failed: 503. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The `Retry-After` (in whole seconds) of an answer, or `undefined` when the answer has none: the
 * one place hookgate decides it. A delivery in flight elsewhere (409 `in_flight`) is retried once
 * the other holder's lease can have run out (`lockMs`); any 503 — the store, journal or queue
 * unavailable, the in-process queue full, a scheme's transient failure such as an SNS signing
 * certificate that could not be fetched — after {@link UNAVAILABLE_RETRY_AFTER_SECONDS}; no
 * other answer asks the sender to wait.
 *
 * @example
 * retryAfterSeconds(error, { lockMs: 30_000 }) // in_flight → 30, store_unavailable → 5, signature_mismatch → undefined
 */
export function retryAfterSeconds(
  error: Pick<WebhookError, "code" | "status">,
  options: { lockMs: number; status?: number },
): number | undefined {
  if (error.code === "in_flight") return Math.max(1, Math.ceil(options.lockMs / 1000));
  if ((options.status ?? error.status) === 503) return UNAVAILABLE_RETRY_AFTER_SECONDS;
  return undefined;
}
