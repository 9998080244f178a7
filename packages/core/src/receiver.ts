import { isWebhookError, WebhookError, type WebhookErrorCode } from "./errors.js";
import type { AnyEvent, EventFor, EventMap, EventName, ResolveEvents, SchemaMap } from "./event-types.js";
import { headerEntries } from "./internal/headers.js";
import { compileAllowList } from "./internal/ip.js";
import { type BodySource, readBody } from "./internal/read-body.js";
import {
  fromQueuedDelivery,
  type Queue,
  type QueuedDelivery,
  toQueuedDelivery,
  type WebhookEvent,
} from "./queue.js";
import { type IdempotencyStore, memoryStore } from "./store.js";
import type { Delivery, HeadersInput, MatchedSecret, Scheme } from "./types.js";

/** A handler: resolves when the delivery is handled; throws (or rejects) to have it retried. */
export type Handler<Event> = (event: Event) => unknown;

/** What a receiver reports to `observe`, for logs and metrics. Never throws into the pipeline. */
export type ReceiverEvent =
  | { kind: "verified"; id: string; type: string; scheme: string; matchedSecret: MatchedSecret }
  | {
      kind: "rejected";
      code: WebhookErrorCode;
      status: number;
      error: WebhookError;
      id?: string;
      type?: string;
    }
  | { kind: "handshake"; id: string; type: string }
  | { kind: "duplicate"; id: string; type: string }
  | { kind: "enqueued"; id: string; type: string }
  | { kind: "handled"; id: string; type: string; handlers: number; durationMs: number }
  | { kind: "failed"; id: string; type: string; error: unknown; durationMs: number };

/** Context passed to `onError` handlers. */
export interface ErrorContext {
  /** The delivery, once it was verified. */
  delivery?: WebhookEvent;
}

/** Options for {@link createReceiver}. */
export interface ReceiverOptions<S extends SchemaMap = SchemaMap> {
  /** How deliveries are signed, with their secrets: `schemes.stripe({ secret })`. */
  scheme: Scheme;
  /** Where delivery ids are claimed. @default memoryStore() — one process only */
  store?: IdempotencyStore;
  /** Present → enqueue and answer 202 at once; absent → run handlers inline and answer 200. */
  queue?: Queue;
  /** Freshness window in seconds, both ways. @default 300 */
  tolerance?: number;
  /** Largest body read; past it, 413 before hashing. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /** Largest total size of header names and values; past it, 431. @default 16384 */
  maxHeaderBytes?: number;
  /** A Standard Schema per event type: validates payloads (422 on failure) and types handlers. */
  events?: S;
  /** Prefix for idempotency keys, for several receivers or tenants sharing one store. */
  namespace?: string;
  /** How long a claim holds before another instance may take over a delivery, in ms. @default 30000 */
  lockMs?: number;
  /** How long a completed id is remembered; covers senders' retry horizon (Stripe: 3 days). @default 259200000 (72 h) */
  ttlMs?: number;
  /** Longest wait for one store call; past it, 503 `store_unavailable` with `Retry-After`. @default 2000 */
  storeTimeoutMs?: number;
  /** Client addresses allowed (IPv4/IPv6 addresses or CIDR ranges), checked before any other work. */
  allowIps?: readonly string[];
  /** Content types accepted (415 otherwise). @default the scheme's */
  contentTypes?: readonly string[];
  /** Receives typed pipeline events for logs, metrics and traces. */
  observe?: (event: ReceiverEvent) => void;
  /** The clock. @default () => new Date() */
  now?: () => Date;
}

/** A request as adapters hand it to {@link Receiver.handle}. */
export interface HandleInput {
  /** @default "POST" */
  method?: string | undefined;
  /** The full public URL (schemes that sign it, like Twilio, need it exact). */
  url?: string | undefined;
  headers: HeadersInput;
  /** The exact body: bytes, or a Node/Web stream that hookgate reads up to `maxBodyBytes`. */
  rawBody: BodySource;
  /** The client address, for `allowIps`. */
  ip?: string | undefined;
  /**
   * Set by an adapter that found the body already consumed by the framework, naming what
   * consumed it; the answer is a 500 that says how to fix the set-up.
   */
  bodyConsumedBy?: string | undefined;
}

/** What happened to a delivery, as {@link HandleResult.outcome} reports it. */
export type HandleOutcome = "handled" | "queued" | "duplicate" | "handshake" | "rejected";

/** What to answer — status, headers and a JSON body — and, for in-process callers, what happened. */
export interface HandleResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** handled (200), queued (202), duplicate (200), handshake (200) or rejected (4xx/5xx). */
  outcome: HandleOutcome;
  /** The delivery id, once verified. */
  id?: string;
  /** Why it was rejected; for `handler_failed`, its `cause` is what the handler threw. Never sent. */
  error?: WebhookError;
}

/** Options for {@link Receiver.dispatch}. */
export interface DispatchOptions {
  /** Re-verify a queued delivery's signature as of its `receivedAt` before running handlers. @default false */
  verify?: boolean;
  /**
   * Run the handlers at most once per delivery, across every worker sharing the receiver's store:
   * claims the delivery's handled-key first (leased and renewed while handlers run, completed
   * after). Already handled → resolves without running them; running elsewhere → rejects with
   * `in_flight`, so the queue retries later. What queue workers pass: a queue dedupes a job id
   * only while it remembers the job, this for the store's `ttlMs`. @default false
   */
  once?: boolean;
}

/** A webhook endpoint: verifies, deduplicates, hands off and dispatches deliveries. */
export interface Receiver<E extends object = EventMap> {
  readonly scheme: Scheme;
  /** Registers a handler for an event type, or for every type under a dotted prefix. */
  on<N extends EventName<E>>(type: N, handler: NoInfer<Handler<EventFor<E, N>>>): this;
  /** Registers a handler for every event. */
  onAny(handler: Handler<AnyEvent<E>>): this;
  /** Registers a listener for every rejection and failure (for logging; it cannot change the answer). */
  onError(handler: (error: unknown, context: ErrorContext) => void): this;
  /** Runs one request through the pipeline. Never throws: every outcome is an answer. */
  handle(input: HandleInput): Promise<HandleResult>;
  /**
   * {@link handle} for a Web `Request`. `url` overrides `request.url` (the public URL behind a
   * proxy); `ip` is the client address, for `allowIps`.
   */
  fetch(request: Request, context?: { ip?: string | undefined; url?: string | undefined }): Promise<Response>;
  /**
   * Runs the handlers for a delivery — what queue workers and tests call. Rejects with the
   * handler's error so the caller's retry logic sees it.
   */
  dispatch(delivery: Delivery | WebhookEvent | QueuedDelivery, options?: DispatchOptions): Promise<void>;
}

/** Codes that mean the server is set up wrong, not that the request is bad. */
const SETUP_ERRORS = new Set<WebhookErrorCode>(["raw_body_required", "invalid_secret", "url_required"]);

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;

function reply(outcome: HandleOutcome, status: number, body: unknown, id?: string): HandleResult {
  const result: HandleResult = { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(body), outcome };
  if (id !== undefined) result.id = id;
  return result;
}

function rejection(error: WebhookError, id?: string): HandleResult {
  const result = reply("rejected", error.status, error.toJSON(), id);
  Object.assign(result.headers, error.headers);
  result.error = error;
  return result;
}

function isQueued(delivery: Delivery | WebhookEvent | QueuedDelivery): delivery is QueuedDelivery {
  return typeof delivery.rawBody === "string";
}

/**
 * Creates a webhook receiver. The event types come from a generic type map, or are inferred
 * from `events` schemas; without either, any type is accepted with an `unknown` payload.
 *
 * @example
 * const receiver = createReceiver({ scheme: schemes.stripe({ secret }), events: { "invoice.paid": InvoicePaid } });
 * receiver.on("invoice.paid", async (event) => { await markPaid(event.payload.data.object.id) });
 * export default { fetch: receiver.fetch };
 */
export function createReceiver<Events extends object = never, const S extends SchemaMap = {}>(
  options: ReceiverOptions<S>,
): Receiver<ResolveEvents<Events, S>> {
  const { scheme, queue, observe } = options;
  if (!scheme || typeof scheme.verify !== "function") {
    throw new TypeError("hookgate: createReceiver needs a `scheme`, e.g. schemes.stripe({ secret })");
  }
  const store = options.store ?? memoryStore();
  const tolerance = options.tolerance ?? 300;
  const maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
  const maxHeaderBytes = options.maxHeaderBytes ?? 16_384;
  const lockMs = options.lockMs ?? 30_000;
  const ttlMs = options.ttlMs ?? 72 * 3600 * 1000;
  const storeTimeoutMs = options.storeTimeoutMs ?? 2000;
  const schemas: SchemaMap = options.events ?? {};
  const contentTypes = (options.contentTypes ?? scheme.contentTypes).map((t) => t.toLowerCase());
  const isAllowed = options.allowIps ? compileAllowList(options.allowIps) : undefined;
  const now = options.now ?? (() => new Date());
  const keyPrefix = `${options.namespace ? `${options.namespace}:` : ""}${scheme.name}:`;

  const loggedSetupErrors = new Set<WebhookErrorCode>();
  const handlers = new Map<string, Array<Handler<WebhookEvent>>>();
  const anyHandlers: Array<Handler<WebhookEvent>> = [];
  const errorHandlers: Array<(error: unknown, context: ErrorContext) => void> = [];

  function emit(event: ReceiverEvent): void {
    if (!observe) return;
    try {
      observe(event);
    } catch {
      // An observer must never change an answer.
    }
  }

  function reportError(error: unknown, context: ErrorContext): void {
    for (const handler of errorHandlers) {
      try {
        handler(error, context);
      } catch {
        // Nor must an error listener.
      }
    }
  }

  function handlersFor(type: string): Array<Handler<WebhookEvent>> {
    const out: Array<Handler<WebhookEvent>> = [];
    for (const [name, list] of handlers) {
      if (type === name || (type.startsWith(name) && type.charCodeAt(name.length) === 46) /* . */)
        out.push(...list);
    }
    return out.concat(anyHandlers);
  }

  async function run(event: WebhookEvent): Promise<void> {
    const list = handlersFor(event.type);
    const started = performance.now();
    try {
      for (const handler of list) await handler(event);
    } catch (error) {
      emit({
        kind: "failed",
        id: event.id,
        type: event.type,
        error,
        durationMs: performance.now() - started,
      });
      throw error;
    }
    emit({
      kind: "handled",
      id: event.id,
      type: event.type,
      handlers: list.length,
      durationMs: performance.now() - started,
    });
  }

  async function validate(type: string, payload: unknown): Promise<unknown> {
    const schema = schemas[type];
    if (!schema) return payload;
    const result = await schema["~standard"].validate(payload);
    if (!result.issues) return result.value;
    throw new WebhookError(
      "schema_validation_failed",
      `hookgate: the ${type} payload does not match its schema`,
      {
        details: {
          issues: result.issues.map((issue) => ({
            message: issue.message,
            ...(issue.path
              ? { path: issue.path.map((p) => (typeof p === "object" ? p.key : p)).map(String) }
              : {}),
          })),
        },
      },
    );
  }

  function checkRequest(input: HandleInput): void {
    if (isAllowed && !isAllowed(input.ip)) {
      throw new WebhookError(
        "forbidden_ip",
        `hookgate: ${input.ip ?? "an unknown client address"} is not in allowIps`,
      );
    }
    if ((input.method ?? "POST").toUpperCase() !== "POST") {
      throw new WebhookError("method_not_allowed", "hookgate: webhooks are delivered with POST", {
        headers: { allow: "POST" },
      });
    }
    let size = 0;
    let contentType: string | undefined;
    let contentLength: string | undefined;
    for (const [name, value] of headerEntries(input.headers)) {
      size += name.length + value.length;
      if (name === "content-type") contentType = value;
      else if (name === "content-length") contentLength = value;
    }
    if (size > maxHeaderBytes) {
      throw new WebhookError(
        "headers_too_large",
        `hookgate: the request headers exceed maxHeaderBytes (${maxHeaderBytes})`,
      );
    }
    const mediaType = contentType === undefined ? undefined : contentType.split(";")[0]!.trim().toLowerCase();
    if (!mediaType || !contentTypes.includes(mediaType)) {
      throw new WebhookError(
        "unsupported_media_type",
        `hookgate: ${scheme.name} deliveries are ${contentTypes.join(" or ")}, not ${mediaType ?? "untyped"}`,
      );
    }
    // Refuse a declared oversized body before reading a byte of it.
    if (contentLength !== undefined && Number(contentLength) > maxBodyBytes) {
      throw new WebhookError(
        "body_too_large",
        `hookgate: the body is larger than maxBodyBytes (${maxBodyBytes} bytes)`,
      );
    }
  }

  async function handle(input: HandleInput): Promise<HandleResult> {
    const receivedAt = now();
    let event: WebhookEvent | undefined;
    let claimed: { key: string; token: string } | undefined;
    try {
      checkRequest(input);
      if (input.bodyConsumedBy) {
        throw new WebhookError(
          "raw_body_required",
          `hookgate: the request body was already read by ${input.bodyConsumedBy}, so the exact bytes the sender signed are gone. Let hookgate read the body first: mount the webhook route before any body parser, or turn the parser off for it`,
        );
      }
      const rawBody = (await readBody(input.rawBody, maxBodyBytes)) as Uint8Array;
      const delivery = await scheme.verify(
        { headers: input.headers, rawBody, url: input.url, method: input.method },
        { tolerance, now: receivedAt },
      );
      event = { ...delivery, receivedAt };
      emit({
        kind: "verified",
        id: event.id,
        type: event.type,
        scheme: event.scheme,
        matchedSecret: event.matchedSecret,
      });

      const handshake = scheme.handshake?.(delivery);
      if (handshake) {
        emit({ kind: "handshake", id: event.id, type: event.type });
        return reply("handshake", 200, handshake.body, event.id);
      }

      const key = keyPrefix + event.id;
      const claim = await storeCall(() => store.claim(key, { lockMs, ttlMs }));
      if (claim.status === "completed") {
        emit({ kind: "duplicate", id: event.id, type: event.type });
        return reply("duplicate", 200, { status: "duplicate", id: event.id }, event.id);
      }
      if (claim.status === "in-flight") {
        throw new WebhookError(
          "in_flight",
          `hookgate: delivery ${event.id} is being processed; retry later`,
          {
            headers: { "retry-after": String(Math.ceil(lockMs / 1000)) },
          },
        );
      }
      claimed = { key, token: claim.token };

      event.payload = await validate(event.type, event.payload);

      if (queue) {
        try {
          await queue.enqueue(
            toQueuedDelivery(event, Object.fromEntries(headerEntries(input.headers)), input.url, key),
          );
        } catch (cause) {
          throw isWebhookError(cause)
            ? cause
            : new WebhookError("queue_unavailable", "hookgate: the queue refused the delivery; retry later", {
                cause,
                headers: { "retry-after": "5" },
              });
        }
        emit({ kind: "enqueued", id: event.id, type: event.type });
        await completeQuietly(claimed, event);
        return reply("queued", 202, { status: "queued", id: event.id }, event.id);
      }

      const stopHolding = holdLease(claimed, event);
      try {
        await run(event);
      } catch (cause) {
        throw new WebhookError("handler_failed", "hookgate: a handler failed; the sender should retry", {
          cause,
        });
      } finally {
        stopHolding();
      }
      await completeQuietly(claimed, event);
      return reply("handled", 200, { status: "handled", id: event.id }, event.id);
    } catch (caught) {
      if (claimed) await releaseQuietly(claimed, event);
      const error = isWebhookError(caught)
        ? caught
        : new WebhookError("internal_error", "hookgate: unexpected error; the sender should retry", {
            cause: caught,
          });
      emit({
        kind: "rejected",
        code: error.code,
        status: error.status,
        error,
        ...(event ? { id: event.id, type: event.type } : {}),
      });
      reportError(error, contextOf(event));
      if (SETUP_ERRORS.has(error.code) && !loggedSetupErrors.has(error.code)) {
        // A set-up mistake fails every delivery: say so once in the server log, not per request.
        loggedSetupErrors.add(error.code);
        console.error(error.message);
      }
      return rejection(error, event?.id);
    }
  }

  function contextOf(event: WebhookEvent | undefined): ErrorContext {
    return event ? { delivery: event } : {};
  }

  /** A store call bounded by `storeTimeoutMs`; any failure becomes 503 `store_unavailable`. */
  async function storeCall<T>(call: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(call),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new WebhookError(
                  "store_unavailable",
                  `hookgate: the idempotency store did not answer within storeTimeoutMs (${storeTimeoutMs} ms); retry later`,
                  { headers: { "retry-after": "5" } },
                ),
              ),
            storeTimeoutMs,
          );
        }),
      ]);
    } catch (cause) {
      throw isWebhookError(cause)
        ? cause
        : new WebhookError(
            "store_unavailable",
            "hookgate: the idempotency store is unavailable; retry later",
            {
              cause,
              headers: { "retry-after": "5" },
            },
          );
    } finally {
      clearTimeout(timer);
    }
  }

  /** Renews the lease while handlers run inline, so a retry never runs them a second time at once. */
  function holdLease(lease: { key: string; token: string }, event: WebhookEvent): () => void {
    const timer = setInterval(
      () => {
        storeCall(() => store.extend(lease.key, lease.token, { lockMs })).then(
          (held) => {
            if (!held) reportError(leaseLost(event), { delivery: event });
          },
          (error: unknown) => reportError(error, { delivery: event }),
        );
      },
      Math.max(1, Math.floor(lockMs / 3)),
    );
    (timer as { unref?: () => void }).unref?.();
    return () => clearInterval(timer);
  }

  function leaseLost(event: WebhookEvent): WebhookError {
    return new WebhookError(
      "store_unavailable",
      `hookgate: the lease on delivery ${event.id} was lost (it outlived lockMs and was claimed elsewhere); raise lockMs above the slowest handler`,
    );
  }

  // Once handled or enqueued, the delivery is safe: a failure to record that only risks a
  // duplicate run after the lease expires, so it is reported, and the sender still gets its 2xx.
  async function completeQuietly(lease: { key: string; token: string }, event: WebhookEvent): Promise<void> {
    try {
      if (!(await storeCall(() => store.complete(lease.key, lease.token, { ttlMs }))))
        reportError(leaseLost(event), { delivery: event });
    } catch (error) {
      reportError(error, { delivery: event });
    }
  }

  async function releaseQuietly(lease: { key: string; token: string }, event: WebhookEvent | undefined) {
    try {
      await storeCall(() => store.release(lease.key, lease.token));
    } catch (error) {
      reportError(error, contextOf(event));
    }
  }

  async function dispatch(
    delivery: Delivery | WebhookEvent | QueuedDelivery,
    dispatchOptions?: DispatchOptions,
  ) {
    let event: WebhookEvent;
    if (isQueued(delivery)) {
      event = fromQueuedDelivery(delivery);
      if (dispatchOptions?.verify) {
        const verified = await scheme.verify(
          { headers: delivery.headers, rawBody: event.rawBody, url: delivery.url },
          { tolerance, now: event.receivedAt },
        );
        if (verified.id !== event.id) {
          throw new WebhookError(
            "signature_mismatch",
            "hookgate: the queued delivery's id does not match its signed content",
          );
        }
      }
    } else {
      event = "receivedAt" in delivery ? delivery : { ...delivery, receivedAt: now() };
    }
    if (!dispatchOptions?.once) return runReported(event);

    const key = `handled:${isQueued(delivery) && delivery.key ? delivery.key : keyPrefix + event.id}`;
    const claim = await storeCall(() => store.claim(key, { lockMs, ttlMs }));
    if (claim.status === "completed") {
      emit({ kind: "duplicate", id: event.id, type: event.type });
      return;
    }
    if (claim.status === "in-flight") {
      throw new WebhookError(
        "in_flight",
        `hookgate: delivery ${event.id} is being handled elsewhere; retry later`,
        {
          headers: { "retry-after": String(Math.ceil(lockMs / 1000)) },
        },
      );
    }
    const lease = { key, token: claim.token };
    const stopHolding = holdLease(lease, event);
    try {
      await runReported(event);
    } catch (error) {
      stopHolding();
      await releaseQuietly(lease, event);
      throw error;
    }
    stopHolding();
    await completeQuietly(lease, event);
  }

  async function runReported(event: WebhookEvent): Promise<void> {
    try {
      await run(event);
    } catch (error) {
      reportError(error, { delivery: event });
      throw error;
    }
  }

  const receiver: Receiver<EventMap> = {
    scheme,
    on(type, handler) {
      const list = handlers.get(type);
      if (list) list.push(handler as Handler<WebhookEvent>);
      else handlers.set(type, [handler as Handler<WebhookEvent>]);
      return this;
    },
    onAny(handler) {
      anyHandlers.push(handler as Handler<WebhookEvent>);
      return this;
    },
    onError(handler) {
      errorHandlers.push(handler);
      return this;
    },
    handle,
    async fetch(request, context) {
      const result = await handle({
        method: request.method,
        url: context?.url ?? request.url,
        headers: request.headers,
        rawBody: request.body ?? new Uint8Array(0),
        ip: context?.ip,
        bodyConsumedBy: request.bodyUsed
          ? "code that ran before hookgate (request.json(), request.text(), request.formData() or a framework's body parsing)"
          : undefined,
      });
      return new Response(result.body, { status: result.status, headers: result.headers });
    },
    dispatch,
  };
  queue?.attach?.((queued) => receiver.dispatch(queued));
  return receiver as unknown as Receiver<ResolveEvents<Events, S>>;
}
