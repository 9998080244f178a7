export type { NatsWorker, NatsWorkerOptions } from "./create-worker.js";
export { createWorker } from "./create-worker.js";
export { messageIdFor } from "./message-id.js";
export type { NatsHealth, NatsHealthOptions, NatsHealthQueue } from "./nats-health.js";
export { natsHealth } from "./nats-health.js";
export type { NatsConnectionLike, NatsQueue, NatsQueueOptions } from "./nats-queue.js";
export { DEFAULT_CONSUMER_NAME, DEFAULT_STREAM_NAME, natsQueue } from "./nats-queue.js";
