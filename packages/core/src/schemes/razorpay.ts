import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme } from "../types.js";
import type { SecretSchemeOptions } from "./shared.js";

/**
 * Razorpay: `X-Razorpay-Signature: <hex>`, HMAC-SHA256 over the body keyed by the webhook secret
 * (not the API key secret). The id is `X-Razorpay-Event-Id` (the same on every retry); the type
 * is the signed payload's `event` (`payment.captured`). No timestamp is signed: replays are
 * stopped by the id dedupe.
 * (https://razorpay.com/docs/webhooks/validate-test/)
 */
export function razorpay(options: SecretSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "razorpay",
      signatures: [
        { header: "x-razorpay-signature", format: { type: "plain" }, algorithm: "sha256", encoding: "hex" },
      ],
      content: "{body}",
      key: utf8Key,
      id: { header: "x-razorpay-event-id" },
      type: { payload: "event" },
    },
    options,
  );
}
