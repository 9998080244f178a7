/** The brokers the exactly-once run covers. */
export type Engine = "amqp" | "nats";

/** What the test hands a receiver process (as JSON in SCALE_CONFIG). */
export interface ReceiverConfig {
  engine: Engine;
  /** RabbitMQ or NATS. */
  brokerUrl: string;
  /** The Redis that holds the receivers' and workers' store. */
  redisUrl: string;
  /** The RabbitMQ queue or the JetStream stream, per test run. */
  queueName: string;
  /** The store's key prefix, per test run. */
  prefix: string;
  secret: string;
  lockMs: number;
}

/** What the test hands a worker process. */
export interface WorkerConfig extends ReceiverConfig {
  /** Hash of delivery id → handler runs that finished. */
  handledKey: string;
  /** Hash of delivery id → handler runs that started. */
  startedKey: string;
  concurrency: number;
  inFlightDelayMs: number;
  /** How long each handler takes. */
  handlerMs: number;
  /** The handlers record the start in `startedKey` and never finish: the worker to kill mid-job. */
  hang?: boolean;
}

export function readConfig<T>(): T {
  const raw = process.env.SCALE_CONFIG;
  if (!raw) throw new Error("SCALE_CONFIG is not set");
  return JSON.parse(raw) as T;
}
