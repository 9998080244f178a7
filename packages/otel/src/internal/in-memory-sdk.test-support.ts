// Test support (not exported): the OpenTelemetry SDK with in-memory span and metric readers.
import type { Attributes } from "@opentelemetry/api";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";

/** A metric reader collected by hand. */
class ManualReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** A span as plain JSON: what a test asserts on, and what a worker process sends its parent. */
export interface SpanRecord {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Attributes;
  status: { code: number; message?: string | undefined };
  events: string[];
}

/** One data point of a metric: its attributes and its value (a count, or a histogram's count and sum). */
export interface PointRecord {
  attributes: Attributes;
  value: number;
  count?: number;
  sum?: number;
}

export function spanRecord(span: ReadableSpan): SpanRecord {
  return {
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    attributes: { ...span.attributes },
    status: { code: span.status.code, message: span.status.message },
    events: span.events.map((event) => event.name),
  };
}

/** Tracer and meter providers whose spans and metrics a test reads back. */
export function inMemorySdk(exporter: SpanExporter = new InMemorySpanExporter()) {
  const reader = new ManualReader();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    spans: (): SpanRecord[] =>
      exporter instanceof InMemorySpanExporter ? exporter.getFinishedSpans().map(spanRecord) : [],
    /** Every metric's data points, by metric name. */
    async metrics(): Promise<Record<string, PointRecord[]>> {
      const { resourceMetrics } = await reader.collect();
      const out: Record<string, PointRecord[]> = {};
      for (const scope of resourceMetrics.scopeMetrics)
        for (const metric of scope.metrics)
          out[metric.descriptor.name] = metric.dataPoints.map((point) => {
            const value = point.value as number | { count: number; sum?: number };
            return typeof value === "number"
              ? { attributes: { ...point.attributes }, value }
              : {
                  attributes: { ...point.attributes },
                  value: value.count,
                  count: value.count,
                  sum: value.sum ?? 0,
                };
          });
      return out;
    },
  };
}
