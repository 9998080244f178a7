import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link paddle}. */
export interface PaddleSchemeOptions {
  /** The notification destination's secret key (`pdl_ntfset_…`), or several during rotation. */
  secret: SecretInput;
}

/**
 * Paddle Billing: `Paddle-Signature: ts=<seconds>;h1=<hex>`, HMAC-SHA256 over `${ts}:${body}`;
 * the id and type are the payload's `event_id` and `event_type`.
 * (https://developer.paddle.com/webhooks/signature-verification)
 */
export function paddle(options: PaddleSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "paddle",
      signatures: [
        {
          header: "paddle-signature",
          format: { type: "fields", separator: ";", timestamp: "ts", signature: "h1" },
          algorithm: "sha256",
          encoding: "hex",
        },
      ],
      timestamp: { in: "signature", unit: "s" },
      content: "{timestamp}:{body}",
      key: utf8Key,
      id: { payload: "event_id" },
      type: { payload: "event_type" },
    },
    options,
  );
}
