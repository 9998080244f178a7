import { isWebhookError } from "../errors.js";
import { extend } from "../internal/extend.js";
import { getHeader } from "../internal/headers.js";
import type { InProcessJob, QueuedDelivery } from "../queue.js";
import type { Proof } from "../scheme/proof.js";
import { signatureId } from "../scheme/verifier-parts.js";
import type {
  TelemetryDelivery,
  TelemetryDispatch,
  TelemetryPublish,
  TelemetryRequest,
  TraceContext,
} from "../telemetry.js";
import type { Delivery, HeadersInput, WebhookEvent } from "../types.js";
import type { Settings } from "./options.js";
import type { HandleResult } from "./types.js";

/** A hex id this long may be a signature standing in for a missing id (SHA-1 HMAC: 40 digits). */
const SIGNATURE_LIKE = /^[0-9a-f]{40,}$/;

/**
 * The id a telemetry may be told: none where it is the delivery's signature (the id of a provider
 * that sends none). A verified delivery says so exactly; for a queued job (not yet re-verified)
 * an id that may be one — the scheme has no id of its own, or it is a long hex string — is not told.
 */
function tellableId(settings: Settings, id: string, signature?: Uint8Array): string | undefined {
  if (signature) return id === signatureId(signature) ? undefined : id;
  const { header, payload } = settings.scheme.facts.id;
  return (header || payload?.length) && !SIGNATURE_LIKE.test(id) ? id : undefined;
}

/** A delivery as a telemetry is told it. */
function told(scheme: string, type: string, id: string | undefined): TelemetryDelivery {
  return id === undefined ? { scheme, type } : { scheme, type, id };
}

/** `version-traceid-parentid-flags`, lower-case hex (W3C Trace Context §3.2). */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
/** W3C Trace Context §3.3.1.1: a tracestate past 512 characters may be dropped. */
const MAX_TRACESTATE = 512;

type Enqueue = (delivery: QueuedDelivery) => Promise<void>;
type EnqueueInProcess = (job: InProcessJob) => void;

/** A request's telemetry as the pipeline calls it: every call guarded, each a no-op without one. */
export interface RequestTrace {
  /** The request verified: `proof` says whether its id is its signature (none for a hand-written scheme). */
  verified(delivery: Delivery, proof: Proof | undefined): void;
  /** Runs the pipeline with the request's span active. */
  within<T>(run: () => Promise<T>): Promise<T>;
  /** The enqueue to hand off with: it writes the publish span's trace context into the job. */
  enqueue(enqueue: Enqueue | undefined): Enqueue | undefined;
  /** The same for a queue whose jobs never leave the process: the context is written into the job. */
  enqueueInProcess(enqueue: EnqueueInProcess | undefined): EnqueueInProcess | undefined;
  end(result: HandleResult): void;
}

/**
 * Runs `run` through a handle's `within` (its span made active), exactly once whatever `within`
 * does: it runs `run` itself if `within` threw before calling it or never called it.
 */
function within<T>(handle: { within?<R>(run: () => R): R } | undefined, run: () => Promise<T>): Promise<T> {
  if (!handle?.within) return run();
  let started: Promise<T> | undefined;
  const once = () => (started ??= run());
  try {
    const result: unknown = handle.within(once);
    // A promise of its own that rejects with the pipeline's error is not left unhandled.
    if (result !== started && typeof (result as Promise<T> | undefined)?.then === "function")
      (result as Promise<T>).then(undefined, () => {});
  } catch {
    // Nothing: a telemetry is an observer.
  }
  return once();
}

/** A telemetry must never change an answer: what it throws is dropped. */
function guard(call: () => void): void {
  try {
    call();
  } catch {
    // Nothing: telemetry is an observer.
  }
}

/** A well-formed trace context, or the empty one (a malformed `traceparent` starts a new trace). */
export function traceContextOf(traceparent: unknown, tracestate: unknown): TraceContext {
  if (typeof traceparent !== "string" || !TRACEPARENT.test(traceparent)) return {};
  const trace: TraceContext = { traceparent };
  if (typeof tracestate === "string" && tracestate !== "" && tracestate.length <= MAX_TRACESTATE)
    trace.tracestate = tracestate;
  return trace;
}

export const UNTRACED: RequestTrace = {
  verified() {},
  within: (run) => run(),
  enqueue: (enqueue) => enqueue,
  enqueueInProcess: (enqueue) => enqueue,
  end() {},
};

/**
 * Starts a request's telemetry. Of the request's headers only `traceparent` and `tracestate` are
 * passed on (checked for form): no other header — a signature, a token — reaches a telemetry.
 */
export function traceRequest(settings: Settings, headers: HeadersInput): RequestTrace {
  const { telemetry } = settings;
  if (!telemetry) return UNTRACED;
  let span: TelemetryRequest | undefined;
  try {
    const trace = traceContextOf(getHeader(headers, "traceparent"), getHeader(headers, "tracestate"));
    span = telemetry.request({ scheme: settings.scheme.name, trace }) ?? undefined;
  } catch {
    return UNTRACED;
  }
  if (!span) return UNTRACED;
  const request = span;
  let ended = false;
  // Ids that are signatures, as the verified deliveries showed: never told, at publish either.
  const hidden = new Set<string>();
  return {
    verified(delivery, proof) {
      guard(() => {
        const signature = proof?.signature;
        const id = signature ? tellableId(settings, delivery.id, signature) : delivery.id;
        if (id === undefined) hidden.add(delivery.id);
        request.verified?.(told(delivery.scheme, delivery.type, id));
      });
    },
    within: (run) => within(request, run),
    enqueue: (enqueue) =>
      enqueue &&
      (async (delivery) => {
        let job = delivery;
        await publish(
          request,
          told(delivery.scheme, delivery.type, hidden.has(delivery.id) ? undefined : delivery.id),
          (context) => {
            job = extend(delivery, context);
          },
          () => enqueue(job),
        );
      }),
    enqueueInProcess: (enqueue) =>
      enqueue &&
      ((job) =>
        publish(
          request,
          told(settings.scheme.name, job.type, hidden.has(job.id) ? undefined : job.id),
          (context) => Object.assign(job, context),
          () => enqueue(job),
        )),
    end(result) {
      if (ended) return;
      ended = true;
      const { outcome, status, error } = result;
      guard(() => request.end(error ? { outcome, status, code: error.code } : { outcome, status }));
    },
  };
}

/**
 * Enqueues a job inside the telemetry's `publish` span: the span's trace context is given to
 * `attach` to write into the job first, and the span ends with the enqueue's outcome — at once for
 * an in-process hand-off, when the promise settles for a queue's. `traceparent` and `tracestate`
 * are not sealed: they decide no trust (a worker only parents its span with them), so a job stays
 * valid whatever they say, and the seal is computed before they are written.
 */
function publish<T extends Promise<void> | void>(
  request: TelemetryRequest,
  delivery: TelemetryDelivery,
  attach: (context: TraceContext) => void,
  enqueue: () => T,
): T {
  let published: TelemetryPublish | undefined;
  guard(() => {
    published = request.publish?.(delivery);
    if (published) attach(traceContextOf(published.traceparent, published.tracestate));
  });
  const failed = (error: unknown): never => {
    guard(() => published?.end(error));
    throw error;
  };
  let sent: T;
  try {
    sent = enqueue();
  } catch (error) {
    return failed(error);
  }
  if (sent instanceof Promise) return sent.then(() => guard(() => published?.end()), failed) as T;
  guard(() => published?.end());
  return sent;
}

/**
 * Runs a dispatch inside the telemetry's `dispatch` span, for a queued job: its trace context and
 * the queue lag (from receipt to now, by the receiver's clock). What `run` does is unchanged.
 */
export function traceDispatch(
  settings: Settings,
  delivery: Delivery | WebhookEvent | QueuedDelivery,
  run: () => Promise<void>,
): Promise<void> {
  if (!settings.telemetry?.dispatch || typeof delivery.rawBody !== "string") return run();
  const job = delivery as QueuedDelivery;
  return traceJob(settings, { ...job, receivedAt: new Date(job.receivedAt) }, run);
}

/** What a dispatch span is told of a job, whether it was queued as JSON or held in-process. */
export interface TracedJob {
  scheme: string;
  type: string;
  id: string;
  receivedAt: Date;
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

/** {@link traceDispatch} for a job as its facts. */
export async function traceJob(settings: Settings, job: TracedJob, run: () => Promise<void>): Promise<void> {
  const { telemetry } = settings;
  let span: TelemetryDispatch | undefined;
  guard(() => {
    const { receivedAt } = job;
    const lagMs = settings.now().getTime() - receivedAt.getTime();
    span = telemetry?.dispatch?.({
      ...told(job.scheme, job.type, tellableId(settings, job.id)),
      trace: traceContextOf(job.traceparent, job.tracestate),
      receivedAt,
      lagMs: Number.isFinite(lagMs) ? Math.max(0, lagMs) : 0,
    });
  });
  try {
    await within(span, run);
  } catch (error) {
    guard(() => span?.end(error, isWebhookError(error) ? error.code : undefined));
    throw error;
  }
  guard(() => span?.end());
}
