import type { QueuedDelivery } from "@hookgate/core";
import { uuidV5 } from "./internal/uuid-v5.js";

// hookgate's namespace for job ids: fixed forever, or every queued delivery would get a new id.
const NAMESPACE = "d66e4dd6-e71d-487e-80cb-1e63716686e9";

/**
 * The id of the job that runs a job's delivery again later (`in_flight`): derived from the job's
 * id, so a job put back twice (its worker failed after the first) still makes one copy.
 */
export function laterJobId(jobId: string): string {
  return uuidV5(`${jobId}:later`, NAMESPACE);
}

/** The id of a job's copy in the dead-letter queue, when the worker gives it up itself. */
export function deadJobId(jobId: string): string {
  return uuidV5(`${jobId}:dead`, NAMESPACE);
}

/**
 * The pg-boss job id of a delivery: a UUIDv5 of its idempotency key (pg-boss ids must be UUIDs),
 * so every copy of one delivery maps to one job and pg-boss refuses the second while it keeps
 * the first. Look a delivery's job up with `boss.getJobById(name, deliveryJobId(delivery))`.
 */
export function deliveryJobId(delivery: Pick<QueuedDelivery, "key" | "scheme" | "id">): string {
  return uuidV5(delivery.key ?? `${delivery.scheme}:${delivery.id}`, NAMESPACE);
}
