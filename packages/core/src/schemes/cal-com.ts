import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link calCom}. */
export interface CalComSchemeOptions {
  /** The webhook's secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * Cal.com: `X-Cal-Signature-256: <hex>`, HMAC-SHA256 over the body; typed by `triggerEvent`
 * (`BOOKING_CREATED`). No id or timestamp is signed: a delivery is keyed by its signature.
 * (https://cal.com/docs/developing/guides/automation/webhooks#adding-a-secret-to-verify-the-webhook)
 */
export function calCom(options: CalComSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "cal-com",
      signatures: [
        { header: "x-cal-signature-256", format: { type: "plain" }, algorithm: "sha256", encoding: "hex" },
      ],
      content: "{body}",
      key: utf8Key,
      type: { payload: "triggerEvent" },
    },
    options,
  );
}
