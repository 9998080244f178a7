import { createHash } from "node:crypto";
import type { QueuedDelivery } from "@hookgate/core";

/**
 * The BullMQ job id of a delivery: `hookgate-` and the SHA-256 of its idempotency key (base64url).
 * Every copy of one delivery gets the same id, so BullMQ keeps one job for it while it remembers
 * the job; the id is bounded in length and free of the `:` BullMQ refuses in custom ids.
 *
 * @example
 * const job = await queue.getJob(jobIdFor(delivery));
 */
export function jobIdFor(delivery: Pick<QueuedDelivery, "key" | "scheme" | "id">): string {
  const key = delivery.key ?? `${delivery.scheme}:${delivery.id}`;
  // UTF-16 code units: the digest of the exact string, whatever characters the key holds.
  return `hookgate-${createHash("sha256").update(Buffer.from(key, "utf16le")).digest("base64url")}`;
}
