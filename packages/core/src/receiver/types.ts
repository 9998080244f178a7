import type { AlertOptions } from "../alerts/types.js";
import type { WebhookError, WebhookErrorCode } from "../errors.js";
import type { AnyEvent, EventFor, EventName, SchemaMap } from "../event-types.js";
import type { BodySource } from "../internal/read-body.js";
import type { DeliveryJournal, JournalFilter } from "../journal.js";
import type { Queue, QueuedDelivery } from "../queue.js";
import type { IdempotencyStore } from "../store.js";
import type { Delivery, HeadersInput, MatchedSecret, Scheme, WebhookEvent } from "../types.js";

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
export interface ReceiverOptions<S extends SchemaMap = SchemaMap> {
  /** How deliveries are signed, with their secrets: `schemes.stripe({ secret })`. */
  scheme: Scheme;
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
  /** Status overrides by error code, over the scheme's own (`{ in_flight: 503 }`). */
  responses?: Readonly<Partial<Record<WebhookErrorCode, number>>>;
  /** Client addresses allowed (IPv4/IPv6 addresses or CIDR ranges), checked before any other work. */
  allowIps?: readonly string[];
  /** Content types accepted (415 otherwise). @default the scheme's */
  contentTypes?: readonly string[];
  /** Receives typed pipeline events for logs, metrics and traces. */
  observe?: (event: ReceiverEvent) => void;
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
   * Set by the Node bridge or `fetch` when the body was already consumed, naming what consumed it;
   * the answer is a 500 that says how to fix the set-up.
   */
  bodyConsumedBy?: string | undefined;
}

/** What happened to a delivery, as {@link HandleResult.outcome} reports it. */
export type HandleOutcome =
  | "handled"
  | "queued"
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
   * handled (200), queued (202), duplicate (200), stale (200: older than its resource's watermark),
   * handshake, ignored (200: no handler) or rejected (4xx/5xx).
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
export interface Receiver<E extends object = Record<string, unknown>> {
  readonly scheme: Scheme;
  /** Registers a handler for an event type, or for every type under a dotted prefix. */
  on<N extends EventName<E>>(type: N, handler: NoInfer<Handler<EventFor<E, N>>>): this;
  /** Registers a handler for every event. */
  onAny(handler: Handler<AnyEvent<E>>): this;
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
   * proxy); `ip` is the client address, for `allowIps`; `params` are route parameters.
   */
  fetch(
    request: Request,
    context?: {
      ip?: string | undefined;
      url?: string | undefined;
      params?: Readonly<Record<string, string>> | undefined;
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
