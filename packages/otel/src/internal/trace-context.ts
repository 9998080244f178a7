import type { TraceContext } from "@hookgate/core";
import {
  type Context,
  context,
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
} from "@opentelemetry/api";

// W3C Trace Context §3.2: version-traceid-parentid-flags; a later version may append fields.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The remote span context a `traceparent` (and `tracestate`) name, or `undefined` if malformed. */
export function parseTraceContext(carrier: TraceContext): SpanContext | undefined {
  const match = carrier.traceparent && TRACEPARENT.exec(carrier.traceparent);
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  const spanContext: SpanContext = {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: Number.parseInt(flags!, 16) & 0xff,
    isRemote: true,
  };
  if (carrier.tracestate) spanContext.traceState = createTraceState(carrier.tracestate);
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The W3C form of a span context: what goes into a queued job. */
export function formatTraceContext(spanContext: SpanContext): TraceContext {
  if (!isSpanContextValid(spanContext)) return {};
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, "0");
  const out: TraceContext = { traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags}` };
  const state = spanContext.traceState?.serialize();
  if (state) out.tracestate = state;
  return out;
}

/**
 * The parent of a span started for `carrier`: a span already active here (an HTTP server's
 * instrumentation, say, which read the same headers) when `preferActive`, else the carried remote
 * context, else whatever is active (a new trace when nothing is).
 */
export function parentContext(carrier: TraceContext, preferActive: boolean): Context {
  const active = context.active();
  if (preferActive && trace.getSpan(active)) return active;
  const remote = parseTraceContext(carrier);
  return remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : active;
}
