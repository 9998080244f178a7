import { standardWebhooksKey } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link standardWebhooks}. */
export interface StandardWebhooksSchemeOptions {
  /**
   * `whsec_` + base64 (HMAC, `v1`), `whpk_` + base64 Ed25519 public key, or `whsk_` + base64
   * Ed25519 private key (`v1a`; signs and verifies). Several during rotation.
   */
  secret: SecretInput;
}

/**
 * Standard Webhooks (Svix and every sender that follows the spec): `webhook-id`,
 * `webhook-timestamp` (seconds), `webhook-signature: v1,<b64> v1a,<b64> …` over
 * `${id}.${timestamp}.${body}`. The `svix-*` header names are accepted too.
 * The key is the base64-decoded part after `whsec_`, not the string — unlike Stripe
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).
 *
 * @example
 * const scheme = schemes.standardWebhooks({ secret: process.env.WEBHOOK_SECRET! });
 */
export function standardWebhooks(options: StandardWebhooksSchemeOptions): HeaderSigningScheme {
  const signatureHeader = { header: "webhook-signature", aliases: ["svix-signature"] } as const;
  return defineScheme(
    {
      name: "standard-webhooks",
      signatures: [
        {
          ...signatureHeader,
          format: { type: "versioned", version: "v1" },
          algorithm: "sha256",
          encoding: "base64",
        },
        {
          ...signatureHeader,
          format: { type: "versioned", version: "v1a" },
          algorithm: "ed25519",
          encoding: "base64",
        },
      ],
      timestamp: { header: "webhook-timestamp", aliases: ["svix-timestamp"], unit: "s" },
      // The header is the attempt's time; the spec's payload `timestamp` is the event's.
      eventTime: { payload: "timestamp", unit: "iso" },
      content: "{id}.{timestamp}.{body}",
      key: standardWebhooksKey,
      id: { header: "webhook-id", aliases: ["svix-id"] },
      type: { payload: "type" },
    },
    options,
  );
}
