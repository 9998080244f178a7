import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link workos}. */
export interface WorkosSchemeOptions {
  /** The endpoint's webhook secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * WorkOS: `WorkOS-Signature: t=<milliseconds>, v1=<hex>`, HMAC-SHA256 over `${t}.${body}`; the
 * id and type are the payload's `id` and `event` (`user.created`).
 * (https://workos.com/docs/events/data-syncing/webhooks/3-process-the-events/b-validate-the-requests-manually)
 */
export function workos(options: WorkosSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "workos",
      signatures: [
        {
          header: "workos-signature",
          format: { type: "fields", separator: ",", timestamp: "t", signature: "v1" },
          algorithm: "sha256",
          encoding: "hex",
        },
      ],
      timestamp: { in: "signature", unit: "ms" },
      content: "{timestamp}.{body}",
      key: utf8Key,
      id: { payload: "id" },
      type: { payload: "event" },
    },
    options,
  );
}
