import type { TelemetryDispatch, TelemetryJob } from "@hookgate/core";
import { context, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import { deliveryAttributes, errorType } from "./internal/attributes.js";
import type { Instruments } from "./internal/instruments.js";
import { parentContext } from "./internal/trace-context.js";

/**
 * A worker's `webhook process <type>` CONSUMER span, a child of the job's `traceparent` (the
 * receiver's publish span: one trace across processes), and the job's queue lag.
 */
export function processSpan(
  tracer: Tracer,
  instruments: () => Instruments,
  job: TelemetryJob,
): TelemetryDispatch {
  const attributes = deliveryAttributes(job);
  const span = tracer.startSpan(
    `webhook process ${job.type}`,
    { kind: SpanKind.CONSUMER, attributes: { ...attributes, "webhook.queue.lag_ms": job.lagMs } },
    parentContext(job.trace, false),
  );
  instruments().lag.record(job.lagMs / 1000, {
    "webhook.scheme": job.scheme,
    "webhook.event_type": job.type,
  });
  return {
    within: (run) => context.with(trace.setSpan(context.active(), span), run),
    end(error) {
      if (error === undefined) span.setAttribute("webhook.outcome", "handled");
      else {
        const type = errorType(error);
        span.setAttributes({ "webhook.outcome": "failed", "error.type": type });
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      }
      span.end();
    },
  };
}
