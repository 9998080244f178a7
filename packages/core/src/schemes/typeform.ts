import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link typeform}. */
export interface TypeformSchemeOptions {
  /** The webhook's secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * Typeform: `Typeform-Signature: sha256=<base64>`, HMAC-SHA256 over the body; the id and type are
 * the payload's `event_id` and `event_type` (`form_response`).
 * (https://www.typeform.com/developers/webhooks/secure-your-webhooks/)
 */
export function typeform(options: TypeformSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "typeform",
      signatures: [
        {
          header: "typeform-signature",
          format: { type: "plain", prefix: "sha256=" },
          algorithm: "sha256",
          encoding: "base64",
        },
      ],
      content: "{body}",
      key: utf8Key,
      id: { payload: "event_id" },
      type: { payload: "event_type" },
    },
    options,
  );
}
