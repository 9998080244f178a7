import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link zendesk}. */
export interface ZendeskSchemeOptions {
  /** The webhook's signing secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * Zendesk: `X-Zendesk-Webhook-Signature: <base64>`, HMAC-SHA256 over
 * `${X-Zendesk-Webhook-Signature-Timestamp}${body}` (the timestamp is RFC 3339). The id is
 * `X-Zendesk-Webhook-Invocation-Id` (falling back to the payload's `id`); typed by the event's
 * `type` (`zen:event-type:ticket.created`).
 * (https://developer.zendesk.com/documentation/webhooks/verifying/)
 */
export function zendesk(options: ZendeskSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "zendesk",
      signatures: [
        {
          header: "x-zendesk-webhook-signature",
          format: { type: "plain" },
          algorithm: "sha256",
          encoding: "base64",
        },
      ],
      timestamp: { header: "x-zendesk-webhook-signature-timestamp", unit: "iso" },
      content: "{timestamp}{body}",
      key: utf8Key,
      id: { header: "x-zendesk-webhook-invocation-id", payload: "id" },
      type: { payload: "type" },
    },
    options,
  );
}
