import { classifyDispatchFailure } from "../classify-dispatch-failure.js";
import { checkOption } from "../internal/check-option.js";

/** Retry policy for {@link memoryQueue}, and for a receiver's handlers that fail past `deadlineMs`. */
export interface RetryOptions {
  /** Total runs, the first included. @default 3 */
  attempts?: number;
  /** Delay before retry n (1-based), in ms: a base for exponential backoff, or a function. @default 1000 */
  backoff?: number | ((retry: number) => number);
  /**
   * How long a job waits when its delivery is being handled elsewhere (`in_flight`) before it
   * runs again; such a wait spends no attempt. @default 5000
   */
  inFlightDelayMs?: number;
}

/** {@link RetryOptions}, checked and with every default filled in. */
export interface RetryPolicy {
  attempts: number;
  inFlightDelayMs: number;
  /** The delay before retry `retry` (1-based), in ms. */
  delay(retry: number): number;
}

/** Checks `retry` (named `${owner} option retry` in errors) and fills in its defaults. */
export function retryPolicy(owner: string, retry: RetryOptions | undefined): RetryPolicy {
  checkOption.object(`${owner} option retry`, retry);
  const attempts = checkOption.whole(`${owner} option retry.attempts`, retry?.attempts, 3);
  const inFlightDelayMs = checkOption.whole(
    `${owner} option retry.inFlightDelayMs`,
    retry?.inFlightDelayMs,
    5000,
    0,
  );
  const backoff =
    typeof retry?.backoff === "function"
      ? retry.backoff
      : checkOption.number(`${owner} option retry.backoff`, retry?.backoff, 1000);
  const delay = typeof backoff === "function" ? backoff : exponentialBackoff(backoff);
  return { attempts, inFlightDelayMs, delay };
}

/**
 * The delay before retry `n` (1-based): `baseMs` doubled at each retry (1 s, 2 s, 4 s …), at most
 * `maxMs`. The one backoff rule of every worker that schedules its own retries.
 */
export function exponentialBackoff(
  baseMs: number,
  maxMs = Number.POSITIVE_INFINITY,
): (retry: number) => number {
  return (retry) => Math.min(maxMs, baseMs * 2 ** (retry - 1));
}

/**
 * After run `attempt` (1-based) failed with `error`: when to run again and as which attempt, or
 * `undefined` to give up (dead-letter). Follows `classifyDispatchFailure`: `in_flight` waits
 * without spending an attempt, a permanent 4xx gives up at once, anything else retries with backoff
 * until `attempts` runs were made.
 */
export function nextAttempt(
  policy: RetryPolicy,
  error: unknown,
  attempt: number,
): { afterMs: number; attempt: number } | undefined {
  const action = classifyDispatchFailure(error);
  if (action === "later") return { afterMs: policy.inFlightDelayMs, attempt };
  if (action === "retry" && attempt < policy.attempts)
    return { afterMs: policy.delay(attempt), attempt: attempt + 1 };
  return undefined;
}
