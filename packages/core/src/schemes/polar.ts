import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";
import { standardWebhooksPreset } from "./standard-webhooks-preset.js";

/** Options for {@link polar}. */
export interface PolarSchemeOptions {
  /** The endpoint's secret (`polar_whs_…`), or several during rotation. */
  secret: SecretInput;
}

/**
 * Polar: Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,…`)
 * over `${id}.${timestamp}.${body}` — but keyed by the secret string's UTF-8 bytes: Polar's SDK
 * base64-encodes the secret before handing it to Standard Webhooks, which decodes it again.
 * Typed by `type` (`order.paid`). (https://docs.polar.sh/integrate/webhooks/delivery)
 */
export function polar(options: PolarSchemeOptions): HeaderSigningScheme {
  return defineScheme(standardWebhooksPreset("polar", utf8Key, "webhook"), options);
}
