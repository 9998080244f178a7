/**
 * Every way a delivery can be refused, with the HTTP status hookgate answers it with.
 * The codes are stable: match on `error.code`, never on the message.
 */
export const WebhookErrorCode = {
  /** A signature header the scheme needs is absent. */
  MissingSignature: "missing_signature",
  /** Another header the scheme needs (timestamp, id) is absent. */
  MissingHeader: "missing_header",
  /** A signature header is present but not in the provider's format (alphabet, length, layout). */
  MalformedSignature: "malformed_signature",
  /** The timestamp is not a whole number of the scheme's unit, or is out of any sane range. */
  MalformedTimestamp: "malformed_timestamp",
  /** The body is empty, not UTF-8, or not the JSON / form the scheme carries. */
  InvalidPayload: "invalid_payload",
  /** More signatures in one request than a sender ever sends (refused before any hashing). */
  TooManySignatures: "too_many_signatures",
  /** No configured secret produces any of the signatures sent. */
  SignatureMismatch: "signature_mismatch",
  /** The signed timestamp is older than `tolerance` seconds. */
  TimestampTooOld: "timestamp_too_old",
  /** The signed timestamp is more than `tolerance` seconds ahead of the clock. */
  TimestampInFuture: "timestamp_in_future",
  /** The client address is not in `allowIps`. */
  ForbiddenIp: "forbidden_ip",
  /** A handshake tried to set a secret where one is already established (a handshake never replaces one). */
  HandshakeRefused: "handshake_refused",
  /** Webhooks are delivered with POST (or the scheme's own method). */
  MethodNotAllowed: "method_not_allowed",
  /** The same delivery is being processed elsewhere right now; retry later. */
  InFlight: "in_flight",
  /** The body did not arrive within `bodyTimeoutMs` (a slow or endless body). */
  BodyTimeout: "body_timeout",
  /** A verified event that no handler is registered for, with `unknownEvents: "reject"`. */
  UnhandledEvent: "unhandled_event",
  /** The body is larger than `maxBodyBytes`. */
  BodyTooLarge: "body_too_large",
  /** The content type is not one the scheme sends. */
  UnsupportedMediaType: "unsupported_media_type",
  /** The payload does not match the schema registered for its event type. */
  SchemaValidationFailed: "schema_validation_failed",
  /** The request headers exceed the configured cap. */
  HeadersTooLarge: "headers_too_large",
  /** A handler threw while the delivery was handled inline. */
  HandlerFailed: "handler_failed",
  /** The request body was consumed or parsed before hookgate saw the raw bytes (a server set-up error). */
  RawBodyRequired: "raw_body_required",
  /** A configured secret or key cannot be used (a set-up error). */
  InvalidSecret: "invalid_secret",
  /** The scheme signs the request URL but none was given (a set-up error). */
  UrlRequired: "url_required",
  /** An option is missing, not a finite number, or out of range (a set-up error). */
  InvalidOption: "invalid_option",
  /** The idempotency store could not be reached; the sender should retry. */
  StoreUnavailable: "store_unavailable",
  /** The delivery journal could not record the delivery, so it was not acknowledged; the sender should retry. */
  JournalUnavailable: "journal_unavailable",
  /** The queue refused or failed the hand-off; the sender should retry. */
  QueueUnavailable: "queue_unavailable",
  /** The in-process queue is at `maxPending` (back-pressure); the sender should retry later. */
  QueueFull: "queue_full",
  /** An unexpected error (a bug, or a failing dependency); the sender should retry. */
  InternalError: "internal_error",
} as const;

export type WebhookErrorCode = (typeof WebhookErrorCode)[keyof typeof WebhookErrorCode];

/** The HTTP status each code is answered with. */
export const webhookErrorStatus: Readonly<Record<WebhookErrorCode, number>> = {
  missing_signature: 400,
  missing_header: 400,
  malformed_signature: 400,
  malformed_timestamp: 400,
  invalid_payload: 400,
  too_many_signatures: 400,
  signature_mismatch: 401,
  timestamp_too_old: 401,
  timestamp_in_future: 401,
  forbidden_ip: 403,
  handshake_refused: 403,
  method_not_allowed: 405,
  in_flight: 409,
  body_timeout: 408,
  body_too_large: 413,
  unsupported_media_type: 415,
  schema_validation_failed: 422,
  unhandled_event: 422,
  headers_too_large: 431,
  handler_failed: 500,
  raw_body_required: 500,
  invalid_secret: 500,
  url_required: 500,
  invalid_option: 500,
  store_unavailable: 503,
  journal_unavailable: 503,
  queue_unavailable: 503,
  queue_full: 503,
  internal_error: 500,
};

/** Options for {@link WebhookError}. */
export interface WebhookErrorOptions {
  /** Overrides the status that the code maps to. */
  status?: number;
  /** The underlying error, kept for logs; never sent to the client. */
  cause?: unknown;
  /** Extra, client-safe detail put in the response body (e.g. schema issues). */
  details?: unknown;
  /** Response headers to send with the rejection (e.g. `Retry-After`). */
  headers?: Record<string, string>;
}

/**
 * The one error hookgate throws and answers with. `code` is stable, `status` is the
 * HTTP status to answer with, and `message` starts with `hookgate:` and says what to do.
 *
 * @example
 * try { await verify(scheme, input) } catch (e) { if (isWebhookError(e)) console.log(e.code, e.status) }
 */
export class WebhookError extends Error {
  override readonly name = "WebhookError";
  readonly code: WebhookErrorCode;
  readonly status: number;
  readonly details: unknown;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: WebhookErrorCode, message: string, options: WebhookErrorOptions = {}) {
    super(message.startsWith("hookgate:") ? message : `hookgate: ${message}`, { cause: options.cause });
    this.code = code;
    this.status = options.status ?? webhookErrorStatus[code] ?? 500;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  /** The response body hookgate sends: `{"error":{"code","message"}}`, plus `details` when set. */
  toJSON(): { error: { code: WebhookErrorCode; message: string; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

/**
 * True for a {@link WebhookError}, checked by name and shape so that it also holds
 * for an error thrown by a second copy of `@hookgate/core` in the same process.
 */
export function isWebhookError(error: unknown): error is WebhookError {
  return (
    error instanceof WebhookError ||
    (typeof error === "object" &&
      error !== null &&
      (error as { name?: unknown }).name === "WebhookError" &&
      typeof (error as { code?: unknown }).code === "string" &&
      typeof (error as { status?: unknown }).status === "number")
  );
}
