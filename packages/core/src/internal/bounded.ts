import { isWebhookError, WebhookError, type WebhookErrorCode } from "../errors.js";
import { whilePending } from "./while-pending.js";

/** How a dependency's calls are bounded, and what the errors say: made once per receiver. */
export interface Bound {
  timeoutMs: number;
  code: WebhookErrorCode;
  /** What happened past `timeoutMs`, e.g. "the idempotency store did not answer within …". */
  timedOut: string;
  /** What a failure means, e.g. "the idempotency store is unavailable". */
  failed: string;
}

/**
 * Runs a call to a dependency (store, journal, queue) bounded in time: past `timeoutMs`, or on
 * any failure that is not already a `WebhookError`, it rejects with `code` (answered 503 with
 * `Retry-After`, see `retryAfterSeconds`), so a dependency that hangs or breaks never holds a sender's request.
 */
export function bounded<T>(call: () => PromiseLike<T> | T, bound: Bound): Promise<T> {
  let pending: PromiseLike<T>;
  try {
    pending = Promise.resolve(call());
  } catch (cause) {
    return Promise.reject(boundedFailure(bound, cause));
  }
  return new Promise<T>((resolve, reject) => {
    pending.then(resolve, (cause: unknown) => reject(boundedFailure(bound, cause)));
    // An in-process store has answered by the next microtask: only a call still pending then
    // costs a timer.
    whilePending(pending, () => {
      const timer = setTimeout(() => reject(timedOut(bound)), bound.timeoutMs);
      return () => clearTimeout(timer);
    });
  });
}

/** What a dependency's failure is answered with: its own `WebhookError`, else the bound's 503 code. */
export function boundedFailure(bound: Bound, cause: unknown): WebhookError {
  return isWebhookError(cause)
    ? cause
    : new WebhookError(bound.code, `hookgate: ${bound.failed}; retry later`, { cause });
}

function timedOut(bound: Bound): WebhookError {
  return new WebhookError(bound.code, `hookgate: ${bound.timedOut}; retry later`);
}
