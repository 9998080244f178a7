import { invalidSecret, type KeyDecoder, utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link stripe}. */
export interface StripeSchemeOptions {
  /** The endpoint's signing secret (`whsec_…`), or several during a roll. */
  secret: SecretInput;
}

// The whole `whsec_…` string is the key; a bare prefix is a copy-paste that lost the secret.
const stripeKey: KeyDecoder = (value, scheme) => {
  if (value === "whsec_") {
    throw invalidSecret(
      `hookgate: the ${scheme} secret is only "whsec_"; copy the whole endpoint secret from the Stripe dashboard`,
    );
  }
  try {
    return utf8Key(value, scheme);
  } catch (error) {
    throw invalidSecret(`${(error as Error).message} (Stripe's key is the whole whsec_… string)`);
  }
};

/**
 * Stripe: `Stripe-Signature: t=<seconds>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 over `${t}.${body}`.
 * The key is the whole `whsec_…` string as UTF-8 — unlike Standard Webhooks, it is not
 * base64-decoded (https://docs.stripe.com/webhooks#verify-manually). While a secret rolls,
 * Stripe sends one `v1` per active secret; any match passes, `v0` test signatures are ignored.
 *
 * @example
 * const scheme = schemes.stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET! });
 */
export function stripe(options: StripeSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "stripe",
      signatures: [
        {
          header: "stripe-signature",
          format: { type: "fields", separator: ",", timestamp: "t", signature: "v1" },
          algorithm: "sha256",
          encoding: "hex",
        },
      ],
      timestamp: { in: "signature", unit: "s" },
      // `t=` is when this attempt was signed; `created` is when the event happened.
      eventTime: { payload: "created", unit: "s" },
      content: "{timestamp}.{body}",
      key: stripeKey,
      id: { payload: "id" },
      type: { payload: "type" },
      mismatchHint: (secrets) =>
        secrets.some((s) => !s.startsWith("whsec_"))
          ? "Stripe endpoint secrets start with whsec_ and are used whole, prefix included."
          : undefined,
    },
    options,
  );
}
