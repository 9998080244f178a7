export type { PgBossWorker, PgBossWorkerOptions } from "./create-worker.js";
export { createWorker } from "./create-worker.js";
export { deliveryJobId } from "./job-id.js";
export type { PgBossQueue, PgBossQueueOptions, PgBossRetryOptions } from "./pg-boss-queue.js";
export { DEFAULT_QUEUE_NAME, pgBossQueue } from "./pg-boss-queue.js";
