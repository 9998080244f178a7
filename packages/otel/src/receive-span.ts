import type { TelemetryDelivery, TelemetryRequest, TraceContext } from "@hookgate/core";
import {
  type Attributes,
  type Context,
  context,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { deliveryAttributes, errorType } from "./internal/attributes.js";
import type { Instruments } from "./internal/instruments.js";
import { formatTraceContext, parentContext } from "./internal/trace-context.js";

/**
 * A request's `webhook receive <scheme>` SERVER span (a child of the request's `traceparent`, or
 * of an HTTP server span already active), its PRODUCER spans for each hand-off, and its metrics.
 */
export function receiveSpan(
  tracer: Tracer,
  instruments: () => Instruments,
  start: { scheme: string; trace: TraceContext },
): TelemetryRequest {
  const started = performance.now();
  const span = tracer.startSpan(
    `webhook receive ${start.scheme}`,
    { kind: SpanKind.SERVER, attributes: { "webhook.scheme": start.scheme } },
    parentContext(start.trace, true),
  );
  const metric: Attributes = { "webhook.scheme": start.scheme };
  return {
    verified(delivery) {
      span.setAttributes(deliveryAttributes(delivery));
      metric["webhook.event_type"] = delivery.type;
    },
    publish: (delivery) => publishSpan(tracer, trace.setSpan(context.active(), span), delivery),
    within: (run) => context.with(trace.setSpan(context.active(), span), run),
    end({ outcome, status, code }) {
      span.setAttributes({ "webhook.outcome": outcome, "http.response.status_code": status });
      metric["webhook.outcome"] = outcome;
      if (code !== undefined) {
        span.setAttribute("error.type", code);
        metric["error.type"] = code;
      }
      // A refusal or a failure; its code, never the error's message, says why.
      if (outcome === "rejected") span.setStatus({ code: SpanStatusCode.ERROR, message: code ?? outcome });
      span.end();
      const { deliveries, duration } = instruments();
      deliveries.add(1, metric);
      duration.record((performance.now() - started) / 1000, metric);
    },
  };
}

/** `webhook publish <scheme>`, a PRODUCER span whose context the job carries to the worker. */
function publishSpan(tracer: Tracer, parent: Context, delivery: TelemetryDelivery) {
  const span = tracer.startSpan(
    `webhook publish ${delivery.scheme}`,
    { kind: SpanKind.PRODUCER, attributes: deliveryAttributes(delivery) },
    parent,
  );
  return {
    ...formatTraceContext(span.spanContext()),
    end(error?: unknown) {
      if (error !== undefined) {
        const type = errorType(error);
        span.setAttribute("error.type", type);
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      }
      span.end();
    },
  };
}
