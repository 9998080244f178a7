import type {
  HandleInput,
  HandleOutcome,
  HandleResult,
  WebhookError,
  WebhookErrorCode,
} from "@hookgate/core";
import type { SignedFixture } from "./signed-fixture.js";

/**
 * What the receiver did with a delivery: `handled` (handlers ran and succeeded, 200), `queued`
 * (handed to the receiver's queue, 202 — handlers run later), `duplicate` (already completed,
 * handlers not run, 200), `handshake` (Slack `url_verification` or Discord PING answered, no
 * handlers), `rejected` (any 4xx/5xx, with its `code`).
 */
export type TestHandlerOutcome = HandleOutcome;

/** The result of {@link testHandler}. */
export interface TestHandlerResult {
  outcome: TestHandlerOutcome;
  /** The HTTP status the sender would get. */
  status: number;
  /** Why it was rejected: a stable `WebhookError` code such as `signature_mismatch` (rejections only). */
  code?: WebhookErrorCode;
  /** The rejection's message (rejections only). */
  message?: string;
  /** The delivery id, once verified. */
  id?: string;
  /** The rejection itself: for `handler_failed`, a `WebhookError` whose `cause` is what the handler threw. */
  error?: WebhookError;
  /** The parsed JSON answer. */
  body: unknown;
  /** The answer's headers (e.g. `retry-after`). */
  headers: Record<string, string>;
}

/** What {@link testHandler} needs of a receiver: any `createReceiver()` result fits. */
export interface TestableReceiver {
  handle(input: HandleInput): Promise<HandleResult>;
}

/** Options for {@link testHandler}. */
export interface TestHandlerOptions {
  /** The URL to present the delivery at. @default the fixture's `url`, else http://localhost/webhooks */
  url?: string;
}

/**
 * Runs one signed fixture through the receiver's real pipeline — verify, dedupe, validate,
 * handlers — without HTTP, and reports what happened. Runner-agnostic: assert on the result
 * with vitest, Jest or node:test.
 *
 * @example
 * const result = await testHandler(receiver, await signedFixture(scheme, fixtures.stripe.invoicePaid()));
 * expect(result).toMatchObject({ outcome: "handled", status: 200 });
 */
export async function testHandler(
  receiver: TestableReceiver,
  fixture: SignedFixture,
  options: TestHandlerOptions = {},
): Promise<TestHandlerResult> {
  const answer = await receiver.handle({
    method: "POST",
    url: options.url ?? fixture.url ?? "http://localhost/webhooks",
    headers: fixture.headers,
    rawBody: new TextEncoder().encode(fixture.body),
  });
  const result: TestHandlerResult = {
    outcome: answer.outcome,
    status: answer.status,
    body: JSON.parse(answer.body),
    headers: answer.headers,
  };
  if (answer.id !== undefined) result.id = answer.id;
  if (answer.error) {
    result.error = answer.error;
    result.code = answer.error.code;
    result.message = answer.error.message;
  }
  return result;
}
