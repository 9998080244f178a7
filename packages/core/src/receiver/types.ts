import type { AlertOptions } from "../alerts/types.js";
import type { WebhookError, WebhookErrorCode } from "../errors.js";
import type { AnyEvent, EventFor, EventName, SchemaMap } from "../event-types.js";
import type { BodySource } from "../internal/read-body.js";
import type { DeliveryJournal, JournalFilter } from "../journal.js";
import type { RetryOptions } from "../queue/retry-policy.js";
import type { Queue, QueuedDelivery } from "../queue.js";
import type { IdempotencyStore } from "../store.js";
import type { Telemetry } from "../telemetry.js";
import type { Delivery, HeadersInput, MatchedSecret, Scheme, WebhookEvent } from "../types.js";

/** A handler: resolves when the delivery is handled; throws (or rejects) to have it retried. */
export type Handler<Event> = (event: Event) => unknown;

/**
 * A whole HTTP answer from a {@link Responder}: an object with a numeric `status` and no keys but
 * `status`, `headers` and `body`. `body` is sent as JSON, or as is when it is a string and the
 * `content-type` header is not JSON.
 */
export interface HttpAnswer<Body = unknown> {
  status: number;
  headers?: Readonly<Record<string, string>>;
  body?: Body | string;
}

/**
 * What a {@link Responder} returns: the JSON body of a 200 (typed by the scheme: Discord's
 * `{ type: 4, data }`, Slack's `{ text, blocks, response_type }`), or a whole {@link HttpAnswer}.
 */
export type RespondAnswer<Answer = unknown> = Answer | HttpAnswer<Answer>;

/** A handler whose value is the HTTP answer to its delivery: see {@link Receiver.respond}. */
export type Responder<Event, Answer = unknown> = (
  event: Event,
) => RespondAnswer<Answer> | Promise<RespondAnswer<Answer>>;

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
  | { kind: "handshake"; id?: string; type?: string }
  | { kind: "duplicate"; id: string; type: string }
  /** Older than its resource's watermark (`ordering`): acknowledged, handlers not run. */
  | { kind: "stale"; id: string; type: string; resource: string; at: Date; watermark: Date }
  | { kind: "unhandled"; id: string; type: string }
  | { kind: "enqueued"; id: string; type: string }
  | { kind: "handled"; id: string; type: string; handlers: number; durationMs: number }
  | { kind: "failed"; id: string; type: string; error: unknown; durationMs: number }
  /** A delivery given up on (`receiver.deadLetter`): `code` is the last error's (`handler_failed` for a handler's own). */
  | { kind: "dead_letter"; id: string; type: string; code: string; error: unknown };

/** Context passed to `onError` handlers. */
export interface ErrorContext {
  /** The delivery, once it was verified. */
  delivery?: WebhookEvent;
}

/**
 * Out-of-order protection: an event older than the newest event already applied to the same
 * resource is `stale` — acknowledged (200) without running its handlers. Needs a store with
 * `watermark` and `advance` (every store hookgate ships has them).
 */
export interface OrderingOptions {
  /**
   * The resource an event changes (a subscription id, an order id): events of one resource are
   * ordered; `undefined` leaves the event unordered.
   */
  key: (event: WebhookEvent) => string | undefined;
  /**
   * When the event happened, in ms since the epoch or as a Date; `undefined` leaves it unordered.
   * @default the scheme's `facts.eventTime` (Stripe's `created`); required for schemes without one (GitHub)
   */
  at?: (event: WebhookEvent) => number | Date | undefined;
  /** How long a resource's watermark is kept after it last moved, in ms. @default the receiver's `ttlMs` */
  ttlMs?: number;
}

/** Options for {@link createReceiver}. Every number is checked at creation (`invalid_option`). */
export interface ReceiverOptions<S extends SchemaMap = SchemaMap, Answer = unknown> {
  /** How deliveries are signed, with their secrets: `schemes.stripe({ secret })`. */
  scheme: Scheme<Answer>;
  /** Where delivery ids are claimed. @default memoryStore() — one process only */
  store?: IdempotencyStore;
  /** Present → enqueue and answer 202 at once; absent → run handlers inline and answer 200. */
  queue?: Queue;
  /**
   * Events of one resource applied in order: an event older than the resource's watermark is
   * answered 200 `stale` and its handlers do not run (with a queue, judged in the worker).
   *
   * @example
   * ordering: { key: (event) => (event.payload as Stripe.Event).data.object.id }
   */
  ordering?: OrderingOptions;
  /**
   * Records every accepted delivery (exact bytes, headers, lifecycle) before its 2xx, and counts
   * refusals: `memoryJournal()`, `sqliteJournal({ path })`, `postgresJournal({ pool })`. A journal
   * that cannot record turns the answer into 503 `journal_unavailable`: nothing unrecorded is
   * acknowledged. Journal calls are bounded by `storeTimeoutMs`.
   */
  journal?: DeliveryJournal;
  /**
   * Freshness window in seconds, both ways. `Infinity` turns the check off; `0` is refused (it
   * reads as "off" to some libraries and as "no skew at all" to others). @default 300
   */
  tolerance?: number;
  /** Largest body read; past it, 413 before hashing. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /** Longest wait for the whole body, in ms; past it, 408 (a slow or endless body). @default 5000 */
  bodyTimeoutMs?: number;
  /**
   * Hash the body while it arrives, where the scheme signs `prefix + body` with local HMAC
   * secrets (Stripe, GitHub, Standard Webhooks…): a large delivery is verified at its last byte.
   * The same checks and answers either way; `false` hashes the whole body after reading it.
   * @default true
   */
  streamVerify?: boolean;
  /** Largest total size of header names and values; past it, 431. @default 16384 */
  maxHeaderBytes?: number;
  /** A Standard Schema per event type: validates payloads (422 on failure) and types handlers. */
  events?: S;
  /**
   * The receiver's own secret for sealing what it keeps (journal rows, queued jobs), shared with
   * its workers; a list while rotating (the first seals, all are checked). Needed only by schemes
   * that verify with the sender's public keys (Discord, SendGrid, AWS SNS) when a journal or queue
   * is set; other schemes seal with a key derived from the secret that verified each delivery.
   */
  sealKey?: string | readonly string[];
  /**
   * Prefix for idempotency keys and identities. Receivers and tenants sharing a store are kept
   * apart without it — every key carries the identity of the secrets that verified the delivery,
   * which survives rotation — so it is needed only to separate receivers that share a secret.
   */
  namespace?: string;
  /**
   * How long a claim holds before another instance may take over a delivery, in ms. While
   * handlers run inline the lease is renewed every `lockMs / 3`. @default 30000
   */
  lockMs?: number;
  /** How long a completed id is remembered; covers senders' retry horizon (Stripe: 3 days). @default 259200000 (72 h) */
  ttlMs?: number;
  /** Longest wait for one store call, in ms; past it, 503 `store_unavailable` with `Retry-After`. @default 2000 */
  storeTimeoutMs?: number;
  /** Longest wait for the queue to accept a delivery, in ms; past it, 503 `queue_unavailable`, key released. @default 5000 */
  queueTimeoutMs?: number;
  /**
   * A verified event no handler is registered for: `acknowledge` answers 200 (providers disable
   * endpoints that keep failing) and reports it to `observe` as `unhandled`; `reject` answers 422
   * `unhandled_event`. @default "acknowledge"
   */
  unknownEvents?: "acknowledge" | "reject";
  /**
   * How long handlers run inline (no `queue`) and `respond` handlers run before the sender is
   * answered without them, in ms: `respond` gets the scheme's deferred reply (Discord's
   * `{"type":5}`, Slack's empty 200) or 202 `accepted`; inline handlers 202 `accepted`. The work
   * goes on, holding the lease, and a failure then is retried here (`retry`) and, when it gives up,
   * marked `dead` through `deadLetter`. `Infinity` turns the guard off.
   * @default the scheme's `facts.deadline.ms` less a tenth (at least 500 ms); no guard where the sender documents no timeout
   */
  deadlineMs?: number;
  /**
   * How handlers that fail after `deadlineMs` answered for them are retried (the sender got a 2xx
   * and will not retry): the same policy as memoryQueue's. @default { attempts: 3, backoff: 1000 }
   */
  retry?: RetryOptions;
  /** Status overrides by error code, over the scheme's own (`{ in_flight: 503 }`). */
  responses?: Readonly<Partial<Record<WebhookErrorCode, number>>>;
  /** Client addresses allowed (IPv4/IPv6 addresses or CIDR ranges), checked before any other work. */
  allowIps?: readonly string[];
  /** Content types accepted (415 otherwise). @default the scheme's */
  contentTypes?: readonly string[];
  /** Receives typed pipeline events for logs, metrics and traces. */
  observe?: (event: ReceiverEvent) => void;
  /**
   * Traces and metrics: `otel()` from `@hookgate/otel`, or any {@link Telemetry}. It is told of
   * each request (with the request's W3C trace context and no other header), each hand-off (and
   * writes the trace context into the job) and each queued job a worker runs; what it throws is
   * ignored.
   */
  telemetry?: Telemetry;
  /**
   * Tell a person when something needs one: a delivery given up on (`dead_letter`), a burst of
   * signature failures, silence from the sender (and `recovered`). At most one alert per kind and
   * `throttleMs`; a notifier that throws or hangs never affects answers.
   *
   * @example
   * alerts: { notify: slackNotifier(process.env.SLACK_ALERTS_URL!), silence: { afterMs: 3_600_000 } }
   */
  alerts?: AlertOptions;
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
  /** Route parameters (`/webhooks/:tenant`), passed to a per-request `secret` function. */
  params?: Readonly<Record<string, string>> | undefined;
  /**
   * Keeps work that goes on after the answer alive on runtimes that end a request's work with its
   * response (Cloudflare's `ctx.waitUntil`, Vercel's `waitUntil`, Next's `after`): handlers past
   * `deadlineMs` are registered with it.
   */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
  /**
   * Set by the Node bridge or `fetch` when the body was already consumed, naming what consumed it;
   * the answer is a 500 that says how to fix the set-up.
   */
  bodyConsumedBy?: string | undefined;
}

/** What happened to a delivery, as {@link HandleResult.outcome} reports it. */
export type HandleOutcome =
  | "handled"
  | "queued"
  | "accepted"
  | "duplicate"
  | "stale"
  | "handshake"
  | "ignored"
  | "rejected";

/** What to answer — status, headers and a body — and, for in-process callers, what happened. */
export interface HandleResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  /**
   * handled (200, or the `respond` handler's answer), queued (202), accepted (202 or the scheme's
   * deferred reply: `deadlineMs` passed, the handlers go on), duplicate (200), stale (200: older
   * than its resource's watermark), handshake, ignored (200: no handler) or rejected (4xx/5xx).
   */
  outcome: HandleOutcome;
  /** The delivery id, once verified. */
  id?: string;
  /** Why it was rejected; for `handler_failed`, its `cause` is what the handler threw. Never sent. */
  error?: WebhookError;
}

/** Options for {@link Receiver.dispatch}. */
export interface DispatchOptions {
  /**
   * Re-verify a queued delivery's stored bytes as of its `receivedAt`, and run the handlers on the
   * id, type and payload derived from them — never on the queued copies. @default false
   */
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

/** Options for {@link Receiver.replay}. */
export interface ReplayOptions {
  /**
   * Verify the stored bytes again, as of their receipt (the freshness window measured from
   * `receivedAt`), with the receiver's current secrets; bytes that no longer verify are refused.
   * `false` trusts the journal (a rotated-out secret). @default true
   */
  verify?: boolean;
  /** Say what would be replayed, and whether it verifies, without running or enqueueing anything. @default false */
  dryRun?: boolean;
  /**
   * Read the deliveries from (and record the attempts in) this journal instead of the receiver's
   * own — what `hookgate replay --receiver` does with its `--journal`. @default the receiver's `journal`
   */
  journal?: DeliveryJournal;
}

/** What a replay did with one stored delivery. */
export interface ReplayResult {
  id: string;
  type?: string | undefined;
  /**
   * `handled` / `failed`: handlers ran inline; `queued`: re-enqueued (the receiver has a queue);
   * `refused`: the stored bytes did not verify; `missing`: no such id in the journal;
   * `verified`: a dry run that would replay it.
   */
  outcome: "handled" | "failed" | "queued" | "refused" | "missing" | "verified";
  /** Why it failed or was refused. */
  error?: { code: string; message: string } | undefined;
  durationMs?: number | undefined;
}

/** A webhook endpoint: verifies, deduplicates, hands off and dispatches deliveries. */
export interface Receiver<E extends object = Record<string, unknown>, Answer = unknown> {
  readonly scheme: Scheme;
  /** Registers a handler for an event type, or for every type under a dotted prefix. */
  on<N extends EventName<E>>(type: N, handler: NoInfer<Handler<EventFor<E, N>>>): this;
  /** Registers a handler for every event. */
  onAny(handler: Handler<AnyEvent<E>>): this;
  /**
   * Registers the handler that answers a type's deliveries (or a dotted prefix's): its value is the
   * HTTP answer, typed by the scheme (Discord's `{ type: 4, data }`). It runs inline, queue or not,
   * instead of `on` / `onAny` handlers; past `deadlineMs` the scheme's deferred reply goes out and
   * its value reaches `onLate`. A retry of an answered delivery gets the same answer (kept in memory).
   *
   * @example
   * receiver.respond("application_command", (event) => ({ type: 4, data: { content: "pong" } }));
   */
  respond<N extends EventName<E>>(type: N, handler: NoInfer<Responder<EventFor<E, N>, Answer>>): this;
  /**
   * Registers a listener for the value of a `respond` handler that came after `deadlineMs`, when
   * the deferred reply was already sent: send it on yourself (Discord's follow-up webhook, Slack's
   * `response_url`). A listener that throws is reported to `onError`.
   */
  onLate(listener: (event: AnyEvent<E>, result: RespondAnswer<Answer>) => unknown): this;
  /**
   * Registers a listener for every rejection and failure (for logging; it cannot change the
   * answer) — except `in_flight`, the ordinary 409 to a sender's retry while another instance
   * works on the delivery (`observe` still sees it).
   */
  onError(handler: (error: unknown, context: ErrorContext) => void): this;
  /** Runs one request through the pipeline. Never throws: every outcome is an answer. */
  handle(input: HandleInput): Promise<HandleResult>;
  /**
   * {@link handle} for a Web `Request`. `url` overrides `request.url` (the public URL behind a
   * proxy); `ip` is the client address, for `allowIps`; `params` are route parameters; `waitUntil`
   * keeps work past the answer alive on edge runtimes (see {@link HandleInput.waitUntil});
   * `incoming` is Node's request where the server passes it, as `@hono/node-server` does for
   * `serve({ fetch: receiver.fetch })`: on HTTP/1 its header record is read, as the Node bridge
   * reads it, rather than the `Request`'s headers (which the server would build per request).
   */
  fetch(
    request: Request,
    context?: {
      ip?: string | undefined;
      url?: string | undefined;
      params?: Readonly<Record<string, string>> | undefined;
      waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
      incoming?: unknown;
    },
  ): Promise<Response>;
  /**
   * Runs the handlers for a delivery — what queue workers and tests call. Rejects with the
   * handler's error so the caller's retry logic sees it.
   */
  dispatch(delivery: Delivery | WebhookEvent | QueuedDelivery, options?: DispatchOptions): Promise<void>;
  /**
   * Runs journaled deliveries through the handlers again — one id, several, or a `list` filter
   * (`{ status: "failed", since }`, at most `limit` deliveries, default 100) — re-verifying their
   * stored bytes first, and records each attempt. With a `queue`, re-enqueues them instead.
   * Needs the `journal` option.
   *
   * @example
   * await receiver.replay({ status: "failed", since: new Date(Date.now() - 3600_000) });
   */
  replay(
    target: string | readonly string[] | JournalFilter,
    options?: ReplayOptions,
  ): Promise<ReplayResult[]>;
  /**
   * Marks a delivery `dead` in the journal, with the last error: queues call it when they give
   * up on a job (memoryQueue does). Without a journal it does nothing; never throws.
   */
  deadLetter(delivery: Delivery | WebhookEvent | QueuedDelivery, error: unknown): Promise<void>;
}
