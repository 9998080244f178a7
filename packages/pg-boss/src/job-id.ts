import type { QueuedDelivery } from "@hookgate/core";
import { uuidV5 } from "./internal/uuid-v5.js";

// hookgate's namespace for job ids: fixed forever, or every queued delivery would get a new id.
const NAMESPACE = "d66e4dd6-e71d-487e-80cb-1e63716686e9";

/**
 * The pg-boss job id of a delivery: a UUIDv5 of its idempotency key (pg-boss ids must be UUIDs),
 * so every copy of one delivery maps to one job and pg-boss refuses the second while it keeps
 * the first. Look a delivery's job up with `boss.getJobById(name, deliveryJobId(delivery))`.
 */
export function deliveryJobId(delivery: Pick<QueuedDelivery, "key" | "scheme" | "id">): string {
  return uuidV5(delivery.key ?? `${delivery.scheme}:${delivery.id}`, NAMESPACE);
}
