import { isWebhookError, type TelemetryDelivery } from "@hookgate/core";
import type { Attributes } from "@opentelemetry/api";

/**
 * The attributes naming a delivery. Only the scheme's name and the signed type and id: never a
 * header, the body, a secret or a signature (hookgate's telemetry is given none of them).
 */
export function deliveryAttributes(delivery: TelemetryDelivery): Attributes {
  const attributes: Attributes = { "webhook.scheme": delivery.scheme, "webhook.event_type": delivery.type };
  // No id where the delivery's id is its signature (hookgate then tells none).
  if (delivery.id !== undefined) attributes["webhook.delivery_id"] = delivery.id;
  return attributes;
}

/**
 * `error.type` for a failure: the `WebhookError` code, else the error's class name — never its
 * message, which a queue client or a handler may have filled with anything.
 */
export function errorType(error: unknown): string {
  if (isWebhookError(error)) return error.code;
  if (error instanceof Error && error.name) return error.name;
  return "_OTHER";
}
