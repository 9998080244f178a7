/** What the test hands a receiver process (as JSON in SCALE_CONFIG). */
export interface ReceiverConfig {
  /** The Redis that holds the store and the queue. */
  redisUrl: string;
  queueName: string;
  /** The store's key prefix, per test run. */
  prefix: string;
  secret: string;
  /** @default the receiver's (30 s) */
  lockMs?: number;
}

/** What the test hands a worker process. */
export interface WorkerConfig extends ReceiverConfig {
  /** Where handlers record their runs: a Redis that stays up while the other is stopped. */
  countsUrl: string;
  /** Hash of delivery id → handler runs that finished. */
  handledKey: string;
  /** Hash of delivery id → handler runs that started. */
  startedKey: string;
  concurrency: number;
  /**
   * BullMQ job lock and stalled-job check, short so a killed worker's jobs come back quickly;
   * absent: `createWorker`'s defaults.
   */
  lockDuration?: number;
  stalledInterval?: number;
  inFlightDelayMs?: number;
  /** The handler never finishes: a worker to kill mid-job. */
  hang?: boolean;
}

export function readConfig<T>(): T {
  const raw = process.env.SCALE_CONFIG;
  if (!raw) throw new Error("SCALE_CONFIG is not set");
  return JSON.parse(raw) as T;
}
