import { type QueuedDelivery, WebhookError } from "@hookgate/core";

const ENCODED = "hookgateDeliveryJson";

// pg-boss keeps job data as jsonb, which refuses U+0000 and unpaired surrogates in strings (a
// payload field can hold either, as a JSON escape). Such a delivery travels as JSON text
// instead of being refused forever; every other one stays readable in SQL as it is.
const JSONB_UNSAFE = /\\u(?:0000|d[89a-f])/i;

/** The job data for a delivery. */
export function encodeJob(delivery: QueuedDelivery): object {
  const json = JSON.stringify(delivery);
  return JSONB_UNSAFE.test(json) ? { [ENCODED]: json } : delivery;
}

/** The delivery a job carries; throws when it carries none (the job then fails into the dead letters). */
export function decodeJob(data: unknown): QueuedDelivery {
  const value =
    data !== null &&
    typeof data === "object" &&
    typeof (data as Record<string, unknown>)[ENCODED] === "string"
      ? JSON.parse((data as Record<string, string>)[ENCODED]!)
      : data;
  if (
    value === null ||
    typeof value !== "object" ||
    typeof (value as QueuedDelivery).id !== "string" ||
    typeof (value as QueuedDelivery).rawBody !== "string"
  ) {
    throw new WebhookError(
      "invalid_payload",
      "hookgate: this pg-boss job does not carry a hookgate delivery (was it sent by pgBossQueue?)",
    );
  }
  return value as QueuedDelivery;
}
