import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link lemonSqueezy}. */
export interface LemonSqueezySchemeOptions {
  /** The webhook's signing secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * Lemon Squeezy: `X-Signature: <hex>`, HMAC-SHA256 over the body; typed by the signed
 * `meta.event_name` (`order_created`) rather than the unsigned `X-Event-Name` header. No id or
 * timestamp is sent: a delivery is keyed by its signature.
 * (https://docs.lemonsqueezy.com/help/webhooks/signing-requests)
 */
export function lemonSqueezy(options: LemonSqueezySchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "lemon-squeezy",
      signatures: [
        { header: "x-signature", format: { type: "plain" }, algorithm: "sha256", encoding: "hex" },
      ],
      content: "{body}",
      key: utf8Key,
      type: { payload: "meta.event_name" },
      signHeaders: ({ type }) => (type ? { "x-event-name": type } : {}),
    },
    options,
  );
}
