import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link calendly}. */
export interface CalendlySchemeOptions {
  /** The webhook subscription's signing key, or several during rotation. */
  secret: SecretInput;
}

/**
 * Calendly: `Calendly-Webhook-Signature: t=<seconds>,v1=<hex>`, HMAC-SHA256 over `${t}.${body}`;
 * typed by `event` (`invitee.created`). No delivery id is sent: a delivery is keyed by its signature.
 * (https://developer.calendly.com/api-docs/4c305798a61d3-webhook-signatures)
 */
export function calendly(options: CalendlySchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "calendly",
      signatures: [
        {
          header: "calendly-webhook-signature",
          format: { type: "fields", separator: ",", timestamp: "t", signature: "v1" },
          algorithm: "sha256",
          encoding: "hex",
        },
      ],
      timestamp: { in: "signature", unit: "s" },
      content: "{timestamp}.{body}",
      key: utf8Key,
      type: { payload: "event" },
    },
    options,
  );
}
