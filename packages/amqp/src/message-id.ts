import { createHash } from "node:crypto";
import type { QueuedDelivery } from "@hookgate/core";

/**
 * The AMQP `messageId` of a delivery: `hookgate-` and the SHA-256 of its idempotency key
 * (base64url). Every copy of one delivery gets the same id, so a worker's log, a dead letter and
 * the receiver's journal name one delivery alike.
 *
 * @example
 * channel.consume(name, (message) => console.log(message?.properties.messageId === messageIdFor(delivery)));
 */
export function messageIdFor(delivery: Pick<QueuedDelivery, "key" | "scheme" | "id">): string {
  const key = delivery.key ?? `${delivery.scheme}:${delivery.id}`;
  return `hookgate-${createHash("sha256").update(key, "utf8").digest("base64url")}`;
}
