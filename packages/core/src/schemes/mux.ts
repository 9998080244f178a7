import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link mux}. */
export interface MuxSchemeOptions {
  /** The webhook's signing secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * Mux: `Mux-Signature: t=<seconds>,v1=<hex>`, HMAC-SHA256 over `${t}.${body}`; the id and type
 * are the payload's `id` and `type` (`video.asset.ready`).
 * (https://docs.mux.com/core/verify-webhook-signatures)
 */
export function mux(options: MuxSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "mux",
      signatures: [
        {
          header: "mux-signature",
          format: { type: "fields", separator: ",", timestamp: "t", signature: "v1" },
          algorithm: "sha256",
          encoding: "hex",
        },
      ],
      timestamp: { in: "signature", unit: "s" },
      content: "{timestamp}.{body}",
      key: utf8Key,
      id: { payload: "id" },
      type: { payload: "type" },
    },
    options,
  );
}
