export type { BullmqQueueLike, BullmqQueueOptions } from "./bullmq-queue.js";
export { bullmqQueue, defaultJobOptions } from "./bullmq-queue.js";
export type { CreateWorkerOptions } from "./create-worker.js";
export { createWorker, defaultWorkerOptions } from "./create-worker.js";
export { jobIdFor } from "./job-id.js";
