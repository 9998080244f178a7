import type { Attributes, Counter, Histogram, Meter } from "@opentelemetry/api";

/** The metrics `otel()` records. */
export interface Instruments {
  /** `hookgate.deliveries`: requests answered, by scheme, event type and outcome. */
  deliveries: Counter<Attributes>;
  /** `hookgate.delivery.duration`: seconds from a request's start to its answer. */
  duration: Histogram<Attributes>;
  /** `hookgate.queue.lag`: seconds from a delivery's receipt to a worker taking its job. */
  lag: Histogram<Attributes>;
}

// Webhook answers take milliseconds to seconds; queue lag seconds to minutes (retries, backlog).
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

export function createInstruments(meter: Meter): Instruments {
  return {
    deliveries: meter.createCounter("hookgate.deliveries", {
      description: "Webhook delivery requests answered, by scheme, event type and outcome",
      unit: "{delivery}",
    }),
    duration: meter.createHistogram("hookgate.delivery.duration", {
      description: "Time from a webhook request's start to its answer",
      unit: "s",
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    lag: meter.createHistogram("hookgate.queue.lag", {
      description: "Time from a webhook delivery's receipt to a worker starting its handlers",
      unit: "s",
      advice: { explicitBucketBoundaries: LAG_BUCKETS },
    }),
  };
}
