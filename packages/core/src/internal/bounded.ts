import { isWebhookError, WebhookError, type WebhookErrorCode } from "../errors.js";

const RETRY_AFTER = { "retry-after": "5" };

/**
 * Runs a call to a dependency (store, journal, queue) bounded in time: past `timeoutMs`, or on
 * any failure that is not already a `WebhookError`, it rejects with `code` (a 503 with
 * `Retry-After`), so a dependency that hangs or breaks never holds a sender's request.
 */
export async function bounded<T>(
  call: () => Promise<T>,
  timeoutMs: number,
  code: WebhookErrorCode,
  what: { timedOut: string; failed: string },
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new WebhookError(code, `hookgate: ${what.timedOut}; retry later`, { headers: RETRY_AFTER })),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(call), timeout]);
  } catch (cause) {
    throw isWebhookError(cause)
      ? cause
      : new WebhookError(code, `hookgate: ${what.failed}; retry later`, { cause, headers: RETRY_AFTER });
  } finally {
    clearTimeout(timer);
  }
}
