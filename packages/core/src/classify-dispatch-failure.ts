import { isWebhookError } from "./errors.js";

/**
 * What a worker does with a job whose `receiver.dispatch` failed:
 * - `"later"`: run it again after a short wait without spending an attempt — the delivery is
 *   being handled elsewhere right now (`in_flight`), and that holder settles it;
 * - `"retry"`: spend an attempt and retry with backoff — a handler failure, a timeout, a 5xx,
 *   the store, journal or queue unavailable;
 * - `"give-up"`: dead-letter it now — a 4xx that fails the same way every time (a signature
 *   that no longer verifies, a payload its schema refuses, a job that carries no delivery).
 */
export type DispatchFailureAction = "later" | "retry" | "give-up";

/** 4xx answers that a later attempt can pass: a timeout (408) and a rate limit (429). */
const TRANSIENT_CLIENT_STATUSES = new Set([408, 429]);

/**
 * Classifies a failure of `receiver.dispatch(job)`: the one retry policy every queue worker
 * follows (memoryQueue, `@hookgate/bullmq`, `@hookgate/pg-boss`), so they behave alike on
 * `in_flight`, 4xx, 5xx and timeouts. An error that is not a `WebhookError` (a handler's own) is
 * retried.
 *
 * @example
 * try { await receiver.dispatch(job, { once: true, verify: true }) }
 * catch (error) { switch (classifyDispatchFailure(error)) { case "later": …; case "retry": …; case "give-up": … } }
 */
export function classifyDispatchFailure(error: unknown): DispatchFailureAction {
  if (!isWebhookError(error)) return "retry";
  if (error.code === "in_flight") return "later";
  if (error.status >= 400 && error.status < 500 && !TRANSIENT_CLIENT_STATUSES.has(error.status))
    return "give-up";
  return "retry";
}
