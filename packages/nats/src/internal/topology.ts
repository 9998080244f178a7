import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";

/** Milliseconds as the nanoseconds JetStream's configuration takes. */
export const nanos = (ms: number) => ms * 1_000_000;

/** The subject deliveries are published on. */
export const deliveriesSubjectOf = (stream: string) => `${stream}.deliveries`;
/** The subject deliveries given up on are published on (kept in the stream, for replay). */
export const deadLetterSubjectOf = (stream: string) => `${stream}.dead-letters`;

export interface Topology {
  stream: string;
  consumer: string;
  duplicateWindowMs: number;
  ackWaitMs: number;
  attempts: number;
}

function notFound(error: unknown): boolean {
  return /not found/i.test((error as Error).message ?? "");
}

/**
 * Creates the stream and its durable pull consumer if missing (idempotent). A work-queue stream:
 * a message acknowledged by the consumer is removed; dead letters, which no consumer takes, stay.
 */
export async function ensureTopology(jsm: JetStreamManager, topology: Topology): Promise<void> {
  const { stream, consumer } = topology;
  try {
    await jsm.streams.info(stream);
  } catch (error) {
    if (!notFound(error)) throw error;
    await jsm.streams.add({
      name: stream,
      subjects: [deliveriesSubjectOf(stream), deadLetterSubjectOf(stream)],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: nanos(topology.duplicateWindowMs),
    });
  }
  const config = {
    durable_name: consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: deliveriesSubjectOf(stream),
    ack_wait: nanos(topology.ackWaitMs),
    max_deliver: topology.attempts,
  };
  try {
    await jsm.consumers.info(stream, consumer);
    await jsm.consumers.update(stream, consumer, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
    });
  } catch (error) {
    if (!notFound(error)) throw error;
    await jsm.consumers.add(stream, config);
  }
}
