import { type QueuedDelivery, WebhookError } from "@hookgate/core";

/** A delivery as a message body: its JSON, UTF-8 (lone surrogates and U+0000 travel as escapes). */
export function encodeDelivery(delivery: QueuedDelivery): Buffer {
  return Buffer.from(JSON.stringify(delivery), "utf8");
}

/** The delivery a message carries; throws a 4xx (given up at once) when it carries none. */
export function decodeDelivery(content: Uint8Array, where: string): QueuedDelivery {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(content).toString("utf8"));
  } catch {
    value = undefined;
  }
  const delivery = value as QueuedDelivery | undefined;
  if (
    delivery === null ||
    typeof delivery !== "object" ||
    typeof delivery.id !== "string" ||
    typeof delivery.rawBody !== "string"
  ) {
    throw new WebhookError(
      "invalid_payload",
      `hookgate: this ${where} message does not carry a hookgate delivery (was it published by hookgate?)`,
    );
  }
  return delivery;
}
