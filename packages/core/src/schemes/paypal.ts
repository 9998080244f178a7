import { checkOption } from "../internal/check-option.js";
import { rsaPrivateKeyPem } from "../internal/secrets.js";
import type { CertificateSourceSpec } from "../scheme/certificate-source.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme } from "../types.js";
import type { SchemeSigningOptions } from "./signing-options.js";

/** Options for {@link paypal}. */
export interface PaypalSchemeOptions {
  /** The webhook's ID (Developer Dashboard → your app → Webhooks): part of what PayPal signs. */
  webhookId: string;
  /**
   * Fetches PayPal's signing certificate (PEM) by its canonical URL, within 5 s and 32 KiB; a
   * rejection whose `transient` is `true` answers 503 so PayPal retries, any other 401.
   * @default fetch over https, no redirects
   */
  fetchCertificate?: CertificateSourceSpec["fetch"];
  /**
   * Signs test deliveries with `signRequest`, as PayPal would: an RSA private key (PEM PKCS#8) and
   * the URL (on a PayPal host) your `fetchCertificate` serves its certificate at.
   */
  signingKey?: { privateKey: string; certificateUrl: string };
}

/**
 * PayPal REST webhooks: `PAYPAL-TRANSMISSION-SIG` is a base64 RSA-SHA256 (`SHA256withRSA`)
 * signature over `<transmission id>|<transmission time>|<webhook id>|<CRC-32 of the body, decimal>`,
 * checked with the certificate at `PAYPAL-CERT-URL` — fetched only from `api.paypal.com` or
 * `api.sandbox.paypal.com` over https, bounded and cached. The transmission time is the signed
 * timestamp. A CRC-32 is no cryptographic cover of the body, so the body counts as unsigned
 * (`facts.bodySigned` false: the receiver accepts one body per transmission id) and the id is the
 * signed `PAYPAL-TRANSMISSION-ID`; the type is the body's `event_type` (`PAYMENT.CAPTURE.COMPLETED`).
 * (https://developer.paypal.com/api/rest/webhooks/rest/)
 *
 * @example
 * const scheme = schemes.paypal({ webhookId: process.env.PAYPAL_WEBHOOK_ID! });
 */
export function paypal(options: PaypalSchemeOptions): HeaderSigningScheme {
  checkOption.object("schemes.paypal", options, true);
  const { webhookId, signingKey } = options;
  if (typeof webhookId !== "string" || !/^[A-Za-z0-9]{1,50}$/.test(webhookId)) {
    throw checkOption.fail(
      "schemes.paypal option webhookId",
      webhookId,
      "the webhook's ID (letters and digits)",
    );
  }
  return defineScheme(
    {
      name: "paypal",
      signatures: [
        {
          header: "paypal-transmission-sig",
          format: { type: "plain" },
          algorithm: "rsa-sha256",
          encoding: "base64",
        },
      ],
      certificate: {
        header: "paypal-cert-url",
        provider: "PayPal",
        urlName: "PAYPAL-CERT-URL",
        host: /^api\.(sandbox\.)?paypal\.com$/,
        path: /^\/v1\/notifications\/certs\/CERT-[A-Za-z0-9-]{1,100}$/,
        form: "https://api.paypal.com/v1/notifications/certs/CERT-<id>",
        maxBytes: 32 * 1024,
        fetch: options.fetchCertificate,
      },
      timestamp: { header: "paypal-transmission-time", unit: "iso" },
      content: `{id}|{timestamp}|${webhookId}|{crc32}`,
      key: rsaPrivateKeyPem,
      id: { header: "paypal-transmission-id" },
      type: { payload: "event_type" },
      signHeaders: () => ({
        "paypal-auth-algo": "SHA256withRSA",
        ...(signingKey ? { "paypal-cert-url": signingKey.certificateUrl } : {}),
      }),
    },
    // A PEM file ends with a line break: it is not part of the key.
    { signingKey: signingKey?.privateKey.trim() },
  );
}
/** PayPal is configured by its webhook ID, and signs with an RSA key whose certificate is at a URL. */
paypal.signingOptions = ["webhookId", "certificateUrl"] as const;
/** A scheme that signs test deliveries with `privateKey` (PEM) for `schemeForSecret` and the CLI. */
paypal.fromSigningSecret = (privateKey: string, options: SchemeSigningOptions): HeaderSigningScheme =>
  paypal({
    webhookId: options.webhookId!,
    signingKey: { privateKey, certificateUrl: options.certificateUrl! },
  });
