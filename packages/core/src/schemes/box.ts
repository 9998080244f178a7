import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretEntry, SecretInput, SignInput } from "../types.js";

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
 * payload's `trigger` (`FILE.UPLOADED`). `sign` signs the primary header with the first key and
 * the secondary header with the second, as Box does; with one key (or a secret function) it
 * signs both headers with that key.
 * (https://developer.box.com/guides/webhooks/v2/signatures-v2/)
 */
export function box(options: BoxSchemeOptions): HeaderSigningScheme {
  const signature = { format: { type: "plain" }, algorithm: "sha256", encoding: "base64" } as const;
  const scheme = defineScheme(
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
  const secondary = secondKey(options.secret);
  if (secondary === undefined) return scheme;
  // Box signs each header with its own key (the SDKs check primary against the primary key and
  // secondary against the secondary key), so a test delivery must too: a receiver holding only
  // the secondary key during a rotation has to accept it.
  const signPrimary = scheme.sign;
  const secondarySigner = scheme.withSigningKey(secondary);
  scheme.sign = async (input: SignInput) => {
    const fixed = {
      ...input,
      id: input.id ?? globalThis.crypto.randomUUID(),
      timestamp: input.timestamp ?? new Date(),
    };
    const [headers, other] = await Promise.all([signPrimary(fixed), secondarySigner.sign(fixed)]);
    return { ...headers, "box-signature-secondary": other["box-signature-primary"]! };
  };
  return scheme;
}

function secondKey(secret: SecretInput): SecretEntry | undefined {
  return Array.isArray(secret) && secret.length > 1 ? (secret[1] as SecretEntry) : undefined;
}
