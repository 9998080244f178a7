import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link shopify}. */
export interface ShopifySchemeOptions {
  /** The app's client secret (API secret key), or several during rotation. */
  secret: SecretInput;
}

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>`, HMAC-SHA256 over the body. The id is
 * `X-Shopify-Event-Id` (falling back to `X-Shopify-Webhook-Id`) and the type `X-Shopify-Topic`
 * (`orders/create`). The newer un-prefixed `shopify-*` names are read too. No timestamp is
 * signed, so replays are stopped by the id dedupe.
 * (https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook-to-ensure-its-coming-from-shopify)
 */
export function shopify(options: ShopifySchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "shopify",
      signatures: [
        {
          header: "x-shopify-hmac-sha256",
          aliases: ["shopify-hmac-sha256"],
          format: { type: "plain" },
          algorithm: "sha256",
          encoding: "base64",
        },
      ],
      content: "{body}",
      key: utf8Key,
      id: { header: "x-shopify-event-id", aliases: ["shopify-event-id", "x-shopify-webhook-id"] },
      type: { header: "x-shopify-topic", aliases: ["shopify-topic"] },
      // "Shopify has a connection timeout of one second and a total timeout of five seconds."
      // (https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-1-notify-shopify-that-your-app-is-receiving-webhooks)
      deadline: { ms: 5000 },
      signHeaders: ({ id, timestamp }) => ({
        "x-shopify-webhook-id": id,
        "x-shopify-triggered-at": timestamp.toISOString(),
        "x-shopify-api-version": "2025-10",
        "x-shopify-shop-domain": "hookgate-test.myshopify.com",
      }),
    },
    options,
  );
}
