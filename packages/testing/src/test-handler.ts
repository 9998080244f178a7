import type { ErrorContext, HandleInput, HandleResult, WebhookErrorCode } from "@hookgate/core";
import type { SignedFixture } from "./signed-fixture.js";

/**
 * What the receiver did with a delivery: `handled` (handlers ran and succeeded, 200), `queued`
 * (handed to the receiver's queue, 202 — handlers run later), `duplicate` (already completed,
 * handlers not run, 200), `handshake` (Slack `url_verification` or Discord PING answered, no
 * handlers), `rejected` (any 4xx/5xx, with its `code`).
 */
export type TestHandlerOutcome = "handled" | "queued" | "duplicate" | "handshake" | "rejected";

/** The result of {@link testHandler}. */
export interface TestHandlerResult {
  outcome: TestHandlerOutcome;
  /** The HTTP status the sender would get. */
  status: number;
  /** Why it was rejected: a stable `WebhookError` code such as `signature_mismatch` (rejections only). */
  code?: WebhookErrorCode;
  /** The rejection's message (rejections only). */
  message?: string;
  /** The delivery id the receiver answered with (handled, queued and duplicate only). */
  id?: string;
  /**
   * The error behind a rejection after verification, as `onError` listeners saw it: for
   * `handler_failed`, a `WebhookError` whose `cause` is what the handler threw.
   */
  error?: unknown;
  /** The parsed JSON answer. */
  body: unknown;
  /** The answer's headers (e.g. `retry-after`). */
  headers: Record<string, string>;
}

/** What {@link testHandler} needs of a receiver: any `createReceiver()` result fits. */
export interface TestableReceiver {
  handle(input: HandleInput): Promise<HandleResult>;
  onError?(listener: (error: unknown, context: ErrorContext) => void): unknown;
}

/** Options for {@link testHandler}. */
export interface TestHandlerOptions {
  /** The URL to present the delivery at. @default the fixture's `url`, else http://localhost/webhooks */
  url?: string;
}

// One onError listener per receiver, routing each error to the testHandler call whose body it is.
const listeners = new WeakMap<object, Map<Uint8Array, unknown>>();

function errorsOf(receiver: TestableReceiver): Map<Uint8Array, unknown> | undefined {
  if (!receiver.onError) return undefined;
  let errors = listeners.get(receiver);
  if (!errors) {
    const map = new Map<Uint8Array, unknown>();
    receiver.onError((error, context) => {
      const body = context.delivery?.rawBody;
      if (body && map.has(body)) map.set(body, error);
    });
    listeners.set(receiver, (errors = map));
  }
  return errors;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
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
  const rawBody = new TextEncoder().encode(fixture.body);
  const errors = errorsOf(receiver);
  errors?.set(rawBody, undefined);
  let answer: HandleResult;
  let error: unknown;
  try {
    answer = await receiver.handle({
      method: "POST",
      url: options.url ?? fixture.url ?? "http://localhost/webhooks",
      headers: fixture.headers,
      rawBody,
    });
  } finally {
    error = errors?.get(rawBody);
    errors?.delete(rawBody);
  }
  const body = parse(answer.body);
  const result: TestHandlerResult = {
    outcome: "rejected",
    status: answer.status,
    body,
    headers: answer.headers,
  };
  const record = (typeof body === "object" && body !== null ? body : {}) as {
    status?: unknown;
    id?: unknown;
    error?: { code?: WebhookErrorCode; message?: string };
  };
  if (answer.status >= 400) {
    if (record.error?.code) result.code = record.error.code;
    if (record.error?.message) result.message = record.error.message;
    if (error !== undefined) result.error = error;
    return result;
  }
  if (typeof record.id === "string") result.id = record.id;
  result.outcome =
    record.status === "handled" || record.status === "queued" || record.status === "duplicate"
      ? record.status
      : "handshake";
  return result;
}
