import type { Telemetry } from "@hookgate/core";
import { checkOption } from "@hookgate/core/kit";
import { type MeterProvider, metrics, type TracerProvider, trace } from "@opentelemetry/api";
import { createInstruments, type Instruments } from "./internal/instruments.js";
import { processSpan } from "./process-span.js";
import { receiveSpan } from "./receive-span.js";

/** Options for {@link otel}. */
export interface OtelOptions {
  /** Where spans go. @default the global tracer provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global meter provider, as registered at the first delivery */
  meterProvider?: MeterProvider;
}

const SCOPE = "@hookgate/otel";

/**
 * OpenTelemetry traces and metrics for a receiver and its workers: a `webhook receive <scheme>`
 * SERVER span per request, a `webhook publish <scheme>` PRODUCER span per hand-off whose context
 * the queued job carries, and a `webhook process <type>` CONSUMER span where a worker runs it —
 * one trace from the sender's `traceparent` to your handlers. Metrics: `hookgate.deliveries`,
 * `hookgate.delivery.duration` and `hookgate.queue.lag` (seconds).
 *
 * @example
 * const receiver = createReceiver({ scheme, queue, telemetry: otel() }); // and the same in the worker
 */
export function otel(options: OtelOptions = {}): Telemetry {
  checkOption.object("otel", options);
  const { tracerProvider, meterProvider } = options;
  for (const [name, provider, method] of [
    ["tracerProvider", tracerProvider, "getTracer"],
    ["meterProvider", meterProvider, "getMeter"],
  ] as const) {
    if (
      provider !== undefined &&
      typeof (provider as unknown as Record<string, unknown>)[method] !== "function"
    )
      throw checkOption.fail(`otel option ${name}`, provider, `an OpenTelemetry ${name} (with ${method})`);
  }
  // The global tracer provider is a proxy (an SDK registered later is used); the global meter
  // provider is not, so the meter is looked up when the first delivery is measured.
  const tracer = (tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  let instruments: Instruments | undefined;
  const measure = () =>
    (instruments ??= createInstruments((meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE)));
  return {
    request: (start) => receiveSpan(tracer, measure, start),
    dispatch: (job) => processSpan(tracer, measure, job),
  };
}
