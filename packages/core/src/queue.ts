import { WebhookError } from "./errors.js";
import { toText, utf8 } from "./internal/bytes.js";
import type { MatchedSecret, WebhookEvent } from "./types.js";

/**
 * A verified delivery as plain JSON, so any queue can carry it. It keeps the signed headers
 * and URL, so a worker can trust it or re-verify it as of `receivedAt`, long after the
 * sender's tolerance window.
 */
export interface QueuedDelivery {
  id: string;
  /**
   * The delivery's idempotency key in the receiver's store (namespace, scheme and id): stable
   * for every copy of one delivery, so a queue can use it as the job's identity.
   */
  key?: string;
  type: string;
  /** The scheme's name, e.g. `stripe`. */
  scheme: string;
  /** When hookgate received it (ISO 8601). */
  receivedAt: string;
  /** The signed timestamp (ISO 8601), where the scheme has one. */
  timestamp?: string;
  matchedSecret: MatchedSecret;
  /** The parsed (and, with a schema, validated) payload. */
  payload: unknown;
  /** The exact body as UTF-8 text. */
  rawBody: string;
  /** The request headers (credentials replaced by `[redacted]`), for re-verification. */
  headers: Record<string, string>;
  /** The request URL, for schemes that sign it. */
  url?: string;
  /** The identity of the secrets that verified it (its tenant), where the receiver has several. */
  tenant?: string;
  /** The route params the request matched, for per-tenant secrets when the job is verified again. */
  params?: Record<string, string>;
  /**
   * The receiver's seal over key, tenant, receipt time, params, headers and bytes: what
   * `dispatch(job, { verify: true })` checks before trusting any of them.
   */
  seal?: string;
  /**
   * The W3C trace context of the receiver's publish span, with a `telemetry`: the worker's span
   * joins the request's trace. Not sealed — it decides no trust, only how spans link.
   */
  traceparent?: string;
  /** The W3C `tracestate` going with {@link QueuedDelivery.traceparent}. */
  tracestate?: string;
}

/** What a receiver gives a queue it attaches to, besides its dispatcher. */
export interface QueueHooks {
  /** Call with a delivery whose every attempt failed, and the last error; never throws. */
  deadLetter?(delivery: QueuedDelivery, error: unknown): Promise<void>;
}

/** How a queue that runs handlers in-process asks the receiver to dispatch (see `Receiver.dispatch`). */
export interface QueueDispatchOptions {
  once?: boolean;
  verify?: boolean;
}

/**
 * A job for a queue whose jobs never leave this process ({@link Queue.enqueueInProcess}): the
 * verified event itself, handed over without JSON and without a seal, since it crosses no trust
 * boundary. The queue holds it and runs it with {@link InProcessJob.run} — the handlers of the
 * receiver that made it, as `dispatch` would run its sealed form.
 */
export interface InProcessJob {
  /** The delivery's idempotency key, as {@link QueuedDelivery.key}: the job's identity. */
  readonly key: string;
  /** The delivery's id, as {@link QueuedDelivery.id}. */
  readonly id: string;
  /** The delivery's type, as {@link QueuedDelivery.type}. */
  readonly type: string;
  /** As {@link QueuedDelivery.traceparent}: written by the receiver's telemetry, not sealed. */
  traceparent?: string;
  /** As {@link QueuedDelivery.tracestate}. */
  tracestate?: string;
  /**
   * Runs the job's handlers, as the receiver's `dispatch` runs a job (`once`, ordering, journal;
   * rejects with the error a worker classifies). With `verify: true` it runs the sealed form
   * through the same checks as any queued job.
   */
  run(options?: QueueDispatchOptions): Promise<void>;
  /**
   * The same job as a sealed {@link QueuedDelivery}, made when asked: for what leaves the
   * in-process path (a dead-letter callback, a dispatch with `verify: true`).
   */
  queued(): Promise<QueuedDelivery>;
}

/**
 * What every queue package's health check answers (`bullmqHealth`, `amqpHealth`, `natsHealth`),
 * each adding what its broker can tell: is anything consuming the receiver's queue?
 */
export interface QueueHealth {
  /** True when a worker consumes the queue (and, where the check can tell, nothing waits too long). */
  ok: boolean;
  /** The queue's name (the stream, for NATS). */
  queue: string;
  /** Workers consuming it, as the broker counts them; `undefined` where it cannot be told. */
  workers: number | undefined;
  /** Deliveries waiting for a worker. */
  waiting: number;
  /** Why it is not ok, in words that say what to do; absent when ok. */
  problem?: string | undefined;
}

/** The receiver's dispatcher, as a queue that runs handlers in-process is given it. */
export type QueueDispatch = (delivery: QueuedDelivery, options?: QueueDispatchOptions) => Promise<void>;

/** Where deliveries are handed off. `enqueue` resolves only once the delivery is safely stored. */
export interface Queue {
  enqueue(delivery: QueuedDelivery): Promise<void>;
  /**
   * Called by `createReceiver` with the receiver's dispatcher, for queues that run handlers
   * in-process ({@link memoryQueue}); the queue returned is what that receiver enqueues to, so
   * each job runs the handlers of the receiver that enqueued it. Durable queues consume in their
   * own workers instead. `hooks.deadLetter` records a job the queue gives up on (the receiver's
   * journal shows it `dead`).
   */
  attach?(dispatch: QueueDispatch, hooks?: QueueHooks): Queue | undefined;
  /**
   * Present on a queue whose jobs never leave this process — no broker, no storage, no other
   * process or worker reads them, and it runs each with {@link InProcessJob.run} — on the queue
   * `attach` returns (`memoryQueue`, unless it re-verifies its jobs). The receiver then hands over
   * the verified event as is, instead of a sealed plain-JSON job through `enqueue`; replays and
   * every other queue still get sealed {@link QueuedDelivery} jobs. It returns once the job is
   * held, with no I/O to wait for (so no `queueTimeoutMs`), and throws to refuse it (e.g.
   * `queue_full`).
   */
  enqueueInProcess?(job: InProcessJob): void;
}

/** Whether a job given to a queue's dispatcher is an {@link InProcessJob}. */
export function isInProcessJob(job: QueuedDelivery | InProcessJob): job is InProcessJob {
  return typeof (job as InProcessJob).queued === "function";
}

/** The JSON form of a delivery for a queue; `headers` as kept (see `journalHeaders`). */
export function toQueuedDelivery(
  event: WebhookEvent,
  headers: Record<string, string>,
  url?: string,
  key?: string,
): QueuedDelivery {
  const queued: QueuedDelivery = {
    id: event.id,
    type: event.type,
    scheme: event.scheme,
    receivedAt: event.receivedAt.toISOString(),
    matchedSecret: event.matchedSecret,
    payload: event.payload,
    rawBody: toText(event.rawBody),
    headers,
  };
  if (event.timestamp) queued.timestamp = event.timestamp.toISOString();
  if (url !== undefined) queued.url = url;
  if (key !== undefined) queued.key = key;
  return queued;
}

/** The event a {@link QueuedDelivery} stands for. */
export function fromQueuedDelivery(queued: QueuedDelivery): WebhookEvent {
  const event: WebhookEvent = {
    id: queued.id,
    type: queued.type,
    scheme: queued.scheme,
    payload: queued.payload,
    rawBody: utf8(queued.rawBody),
    matchedSecret: queued.matchedSecret,
    receivedAt: new Date(queued.receivedAt),
  };
  if (queued.timestamp) event.timestamp = new Date(queued.timestamp);
  return event;
}

/**
 * A queued delivery as a message body, for brokers that carry bytes (RabbitMQ, NATS): its JSON in
 * UTF-8 (lone surrogates and U+0000 travel as escapes).
 */
export function encodeQueuedDelivery(delivery: QueuedDelivery): Uint8Array {
  return utf8(JSON.stringify(delivery));
}

/**
 * The delivery a message body carries; throws `invalid_payload` (a 4xx: a worker gives it up at
 * once) when it carries none. `broker` names the broker in the message, e.g. `RabbitMQ`.
 */
export function decodeQueuedDelivery(body: Uint8Array, broker: string): QueuedDelivery {
  let value: unknown;
  try {
    value = JSON.parse(toText(body));
  } catch {
    value = undefined;
  }
  const delivery = value as QueuedDelivery | undefined;
  if (
    delivery === null ||
    typeof delivery !== "object" ||
    typeof delivery.id !== "string" ||
    typeof delivery.rawBody !== "string"
  ) {
    throw new WebhookError(
      "invalid_payload",
      `hookgate: this ${broker} message does not carry a hookgate delivery (was it published by hookgate?)`,
    );
  }
  return delivery;
}
