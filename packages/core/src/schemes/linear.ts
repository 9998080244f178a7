import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link linear}. */
export interface LinearSchemeOptions {
  /** The webhook's signing secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * Linear: `Linear-Signature: <hex>`, HMAC-SHA256 over the body. Freshness comes from the
 * payload's `webhookTimestamp` (milliseconds), checked once the signature has vouched for it.
 * The id is `Linear-Delivery`; the type is the payload's `type` and `action` (`Issue.create`).
 * (https://linear.app/developers/webhooks#securing-webhooks)
 */
export function linear(options: LinearSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "linear",
      signatures: [
        { header: "linear-signature", format: { type: "plain" }, algorithm: "sha256", encoding: "hex" },
      ],
      timestamp: { payload: "webhookTimestamp", unit: "ms" },
      content: "{body}",
      key: utf8Key,
      id: { header: "linear-delivery" },
      type: { payload: "type", action: "action" },
      signHeaders: ({ type }) => (type ? { "linear-event": type.split(".")[0]! } : {}),
    },
    options,
  );
}
