export type { AmqpHealth, AmqpHealthOptions, AmqpHealthQueue } from "./amqp-health.js";
export { amqpHealth } from "./amqp-health.js";
export type { AmqpConnectionLike, AmqpQueue, AmqpQueueOptions } from "./amqp-queue.js";
export { amqpQueue, DEFAULT_QUEUE_NAME } from "./amqp-queue.js";
export type { AmqpWorker, AmqpWorkerOptions } from "./create-worker.js";
export { ATTEMPT_HEADER, createWorker } from "./create-worker.js";
export { messageIdFor } from "./message-id.js";
