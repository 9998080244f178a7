import { WebhookError } from "../errors.js";
import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { ContentContext } from "../scheme/definition.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";
import { eventsAt, splitBatch } from "./batches.js";

/** Options for {@link hubspot}. */
export interface HubspotSchemeOptions {
  /** The app's client secret, or several during rotation. */
  secret: SecretInput;
}

// HubSpot signs the URI with these characters decoded (see the v3 validation steps).
const DECODED = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;
const events = eventsAt();

function hubspotContent({ url, method, body, timestamp }: ContentContext) {
  if (!url) {
    throw new WebhookError(
      "url_required",
      "hookgate: HubSpot signs the full public URL it posted to; pass `url` (behind a proxy, the public https URL)",
    );
  }
  const decoded = url.replace(DECODED, (encoded) => decodeURIComponent(encoded));
  const urls = decoded === url ? [url] : [url, decoded];
  return urls.map((u) => [`${method}${u}`, body, timestamp!]);
}

/**
 * HubSpot (signature v3): `X-HubSpot-Signature-v3: <base64>`, HMAC-SHA256 over method, URL,
 * body and `X-HubSpot-Request-Timestamp` (milliseconds) concatenated; needs the public `url`.
 * A webhook request is a batch of events: `split` keys each by `subscriptionId:eventId` and types
 * it by `subscriptionType` (`contact.creation`).
 * (https://developers.hubspot.com/docs/api/webhooks/validating-requests)
 */
export function hubspot(options: HubspotSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "hubspot",
      signatures: [
        {
          header: "x-hubspot-signature-v3",
          format: { type: "plain" },
          algorithm: "sha256",
          encoding: "base64",
        },
      ],
      timestamp: { header: "x-hubspot-request-timestamp", unit: "ms" },
      content: hubspotContent,
      signsUrl: true,
      key: utf8Key,
      type: ({ payload }) => {
        const list = events(payload);
        const only =
          list.length === 1 ? (list[0] as { subscriptionType?: unknown }).subscriptionType : undefined;
        return typeof only === "string" ? only : "batch";
      },
      split: splitBatch({
        events,
        id: (e) => (e.eventId === undefined ? undefined : `${String(e.subscriptionId)}:${String(e.eventId)}`),
        type: (e) => e.subscriptionType,
      }),
      signHeaders: () => ({ "x-hubspot-signature-version": "v3" }),
    },
    options,
  );
}
