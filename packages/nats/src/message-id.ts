import { createHash } from "node:crypto";
import type { QueuedDelivery } from "@hookgate/core";

/**
 * The JetStream `Nats-Msg-Id` of a delivery: `hookgate-` and the SHA-256 of its idempotency key
 * (base64url). Every copy of one delivery gets the same id, so JetStream stores one message for
 * them within the stream's duplicate window.
 *
 * @example
 * const pubAck = await js.publish(subject, data, { msgID: messageIdFor(delivery) });
 */
export function messageIdFor(delivery: Pick<QueuedDelivery, "key" | "scheme" | "id">): string {
  const key = delivery.key ?? `${delivery.scheme}:${delivery.id}`;
  return `hookgate-${createHash("sha256").update(key, "utf8").digest("base64url")}`;
}
