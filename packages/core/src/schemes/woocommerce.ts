import { getHeader } from "../internal/headers.js";
import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HandshakeReply, HeaderSigningScheme } from "../types.js";
import type { SecretSchemeOptions } from "./shared.js";

const SIGNATURE = "x-wc-webhook-signature";
/** The ping WooCommerce sends when a webhook is saved: `webhook_id=<the webhook's post id>`. */
const PING = /^webhook_id=\d{1,20}$/;

/**
 * WooCommerce: `X-WC-Webhook-Signature: <base64>`, HMAC-SHA256 over the body keyed by the
 * webhook's secret. The id is `X-WC-Webhook-Delivery-ID`; the type is `X-WC-Webhook-Topic`
 * (`order.created`). No timestamp is signed. Saving a webhook sends an unsigned POST whose body is
 * exactly `webhook_id=<n>`: it carries nothing to act on and is answered 200 without running a
 * handler (WooCommerce only activates the webhook on a 200).
 * (https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks; `WC_Webhook::generate_signature`)
 */
export function woocommerce(options: SecretSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "woocommerce",
      signatures: [{ header: SIGNATURE, format: { type: "plain" }, algorithm: "sha256", encoding: "base64" }],
      content: "{body}",
      key: utf8Key,
      id: { header: "x-wc-webhook-delivery-id" },
      type: { header: "x-wc-webhook-topic" },
      challenge: ({ method, headers, rawBody }): HandshakeReply | undefined => {
        if (method !== "POST" || rawBody.length > 32 || getHeader(headers, SIGNATURE) !== undefined)
          return undefined;
        return PING.test(new TextDecoder().decode(rawBody))
          ? { body: "", contentType: "text/plain" }
          : undefined;
      },
      signHeaders: ({ type }) => {
        const [resource, event] = type?.split(".") ?? [];
        return {
          "x-wc-webhook-source": "https://shop.example.com/",
          "x-wc-webhook-id": "1",
          ...(resource && event ? { "x-wc-webhook-resource": resource, "x-wc-webhook-event": event } : {}),
        };
      },
    },
    options,
  );
}
