import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link coinbase}. */
export interface CoinbaseSchemeOptions {
  /** The webhook shared secret from Commerce settings, or several during rotation. */
  secret: SecretInput;
}

/**
 * Coinbase Commerce: `X-CC-Webhook-Signature: <hex>`, HMAC-SHA256 over the body; the id and type
 * are the payload's `event.id` and `event.type` (`charge:confirmed`).
 * (https://docs.cloud.coinbase.com/commerce/docs/webhooks-security)
 */
export function coinbase(options: CoinbaseSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "coinbase",
      signatures: [
        { header: "x-cc-webhook-signature", format: { type: "plain" }, algorithm: "sha256", encoding: "hex" },
      ],
      content: "{body}",
      key: utf8Key,
      id: { payload: ["event.id", "id"] },
      type: { payload: "event.type" },
    },
    options,
  );
}
