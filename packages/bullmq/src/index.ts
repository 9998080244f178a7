export type { BullmqHealth, BullmqHealthOptions, BullmqHealthQueue } from "./bullmq-health.js";
export { bullmqHealth } from "./bullmq-health.js";
export type { BullmqQueueLike, BullmqQueueOptions } from "./bullmq-queue.js";
export { bullmqQueue, defaultJobOptions } from "./bullmq-queue.js";
export type { CreateWorkerOptions } from "./create-worker.js";
export { createWorker, defaultWorkerOptions } from "./create-worker.js";
export { jobIdFor } from "./job-id.js";
