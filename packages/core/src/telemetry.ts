import type { WebhookErrorCode } from "./errors.js";
import type { HandleOutcome } from "./receiver/types.js";

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) as a request's headers or a queued job
 * carry it. Only these two values ever reach a {@link Telemetry}: never another header, so no
 * signature, token or credential header can end up in a span.
 */
export interface TraceContext {
  /** `00-<trace id>-<parent id>-<flags>`. */
  traceparent?: string;
  /** Vendor entries (`vendor=value,…`), at most 512 characters. */
  tracestate?: string;
}

/** What a delivery is, once verified: the words a span or a metric may carry. */
export interface TelemetryDelivery {
  scheme: string;
  type: string;
  /**
   * The delivery's id; absent where the id is its signature (a provider that sends no id of its
   * own, such as Cal.com or Asana): a signature is never told.
   */
  id?: string;
}

/** How a request ended: its answer. */
export interface TelemetryAnswer {
  outcome: HandleOutcome;
  status: number;
  /** The `WebhookError` code of a refusal or failure. */
  code?: WebhookErrorCode;
}

/** One delivery request, from its first byte to its answer (see {@link Telemetry.request}). */
export interface TelemetryRequest {
  /** The signature held: the delivery's scheme, type and id (once per request). */
  verified?(delivery: TelemetryDelivery): void;
  /**
   * The verified delivery is about to be enqueued: returns the trace context to put into the
   * queued job (so the worker's span joins the request's trace) and is told when the queue
   * accepted (no argument) or refused it.
   */
  publish?(delivery: TelemetryDelivery): TelemetryPublish | undefined;
  /** The answer was decided (called once, last). */
  end(answer: TelemetryAnswer): void;
  /**
   * Runs the request's pipeline (inline handlers included) with this span as the active one, so
   * spans started inside — a handler's, a database client's — are its children. Must call `run`
   * once and return its result.
   */
  within?<T>(run: () => T): T;
}

/** One hand-off to a queue (see {@link TelemetryRequest.publish}). */
export interface TelemetryPublish extends TraceContext {
  /** The queue accepted the job (no argument) or refused it. */
  end(error?: unknown): void;
}

/** A worker runs a queued job's handlers (see {@link Telemetry.dispatch}). */
export interface TelemetryJob extends TelemetryDelivery {
  /** The trace context the job carries (what the receiver's `publish` returned). */
  trace: TraceContext;
  /** When the receiver got the delivery. */
  receivedAt: Date;
  /** Milliseconds from receipt to the worker taking the job (`now − receivedAt`, at least 0). */
  lagMs: number;
}

/** One job's run (see {@link Telemetry.dispatch}). */
export interface TelemetryDispatch {
  /** The handlers succeeded (no argument) or failed with `error` (its `code`, when a `WebhookError`). */
  end(error?: unknown, code?: WebhookErrorCode): void;
  /** Runs the job's handlers with this span as the active one (see {@link TelemetryRequest.within}). */
  within?<T>(run: () => T): T;
}

/**
 * What a receiver tells about its deliveries, for traces and metrics: `otel()` from
 * `@hookgate/otel`, or your own. A telemetry that throws never changes an answer or a job's fate:
 * every call is guarded.
 *
 * @example
 * createReceiver({ scheme, queue, telemetry: otel() });
 */
export interface Telemetry {
  /** A delivery request starts: the scheme's name and the request's trace context. */
  request(start: { scheme: string; trace: TraceContext }): TelemetryRequest | undefined;
  /** A worker (or memoryQueue) takes a queued job; its handlers are about to run. */
  dispatch?(job: TelemetryJob): TelemetryDispatch | undefined;
}
