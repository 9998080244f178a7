import type { WebhookError } from "../errors.js";
import { retryAfterSeconds } from "../retry-after.js";
import type { HandshakeReply } from "../types.js";
import { DEFAULT_LOCK_MS, type Settings } from "./options.js";
import type { HandleOutcome, HandleResult } from "./types.js";

const JSON_TYPE = "application/json; charset=utf-8";

/** The answer to an accepted delivery: `{"status":…,"id":…}`, written without serializing an object. */
export function accepted(
  outcome: "handled" | "queued" | "accepted" | "duplicate" | "stale" | "ignored",
  status: number,
  id: string,
): HandleResult {
  return {
    status,
    headers: { "content-type": JSON_TYPE },
    body: `{"status":"${outcome}","id":${JSON.stringify(id)}}`,
    outcome,
    id,
  };
}

/** A JSON answer. */
export function reply(outcome: HandleOutcome, status: number, body: unknown, id?: string): HandleResult {
  const result: HandleResult = {
    status,
    headers: { "content-type": JSON_TYPE },
    body: JSON.stringify(body),
    outcome,
  };
  if (id !== undefined) result.id = id;
  return result;
}

/** A handshake answer in exactly the form its protocol defines: JSON by default, or text as is. */
export function handshakeReply(handshake: HandshakeReply, id?: string): HandleResult {
  const contentType = handshake.contentType ?? JSON_TYPE;
  const text = !contentType.startsWith("application/json") && typeof handshake.body === "string";
  const result: HandleResult = {
    status: handshake.status ?? 200,
    headers: { "content-type": contentType, ...handshake.headers },
    body: text ? (handshake.body as string) : JSON.stringify(handshake.body),
    outcome: "handshake",
  };
  if (id !== undefined) result.id = id;
  return result;
}

/**
 * The answer to a refused request: the code's status (or the provider's and the user's override),
 * `{"error":{"code","message"}}`, the error's headers, and the `Retry-After` that
 * `retryAfterSeconds` decides for it (never one an error carries).
 */
export function rejection(settings: Settings, error: WebhookError, id?: string): HandleResult {
  const result = errorAnswer(error, {
    status: settings.responses[error.code] ?? error.status,
    lockMs: settings.lockMs,
  });
  if (id !== undefined) result.id = id;
  return result;
}

/**
 * {@link rejection} outside a receiver (a dashboard's or an adapter's own refusal, e.g. a body over
 * its limit): the error's status unless `status` says otherwise, and a lease of `lockMs` (the
 * receiver's default) for an `in_flight`'s `Retry-After`.
 */
export function errorAnswer(
  error: WebhookError,
  { status = error.status, lockMs = DEFAULT_LOCK_MS }: { status?: number; lockMs?: number } = {},
): HandleResult {
  const result = reply("rejected", status, error.toJSON());
  for (const [name, value] of Object.entries(error.headers))
    if (name.toLowerCase() !== "retry-after") result.headers[name] = value;
  const retryAfter = retryAfterSeconds(error, { lockMs, status });
  if (retryAfter !== undefined) result.headers["retry-after"] = String(retryAfter);
  result.error = error;
  return result;
}
