import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { Scheme, SecretInput } from "../types.js";

/** Options for {@link box}. */
export interface BoxSchemeOptions {
  /**
   * The primary and secondary signature keys (`[primary, secondary]`); a request verifies when
   * either signature matches either key, so one can be rotated while the other still works.
   */
  secret: SecretInput;
}

/**
 * Box: `Box-Signature-Primary` and `Box-Signature-Secondary` (base64), HMAC-SHA256 over the body
 * followed by `Box-Delivery-Timestamp` (RFC 3339). The id is `Box-Delivery-Id`; typed by the
 * payload's `trigger` (`FILE.UPLOADED`). Test deliveries are signed with the first key in both headers.
 * (https://developer.box.com/guides/webhooks/v2/signatures-v2/)
 */
export function box(options: BoxSchemeOptions): Scheme {
  const signature = { format: { type: "plain" }, algorithm: "sha256", encoding: "base64" } as const;
  return defineScheme(
    {
      name: "box",
      signatures: [
        { header: "box-signature-primary", ...signature },
        { header: "box-signature-secondary", ...signature },
      ],
      timestamp: { header: "box-delivery-timestamp", unit: "iso" },
      content: "{body}{timestamp}",
      key: utf8Key,
      id: { header: "box-delivery-id" },
      type: { payload: "trigger" },
      signHeaders: () => ({ "box-signature-version": "1", "box-signature-algorithm": "HmacSHA256" }),
    },
    options,
  );
}
