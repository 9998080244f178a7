import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link square}. */
export interface SquareSchemeOptions {
  /** The subscription's signature key, or several during rotation. */
  secret: SecretInput;
}

/**
 * Square: `X-Square-HmacSha256-Signature: <base64>`, HMAC-SHA256 over the notification URL
 * followed by the body — pass the public `url` the subscription posts to. The id and type are
 * the payload's `event_id` and `type` (`payment.updated`).
 * (https://developer.squareup.com/docs/webhooks/step3validate)
 */
export function square(options: SquareSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "square",
      signatures: [
        {
          header: "x-square-hmacsha256-signature",
          format: { type: "plain" },
          algorithm: "sha256",
          encoding: "base64",
        },
      ],
      content: "{url}{body}",
      key: utf8Key,
      id: { payload: "event_id" },
      type: { payload: "type" },
    },
    options,
  );
}
