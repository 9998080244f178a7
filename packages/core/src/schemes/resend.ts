import { standardWebhooksKey } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";
import { standardWebhooksPreset } from "./standard-webhooks-preset.js";

/** Options for {@link resend}. */
export interface ResendSchemeOptions {
  /** The webhook's signing secret (`whsec_…`), or several during rotation. */
  secret: SecretInput;
}

/**
 * Resend (sent through Svix): `svix-id`, `svix-timestamp`, `svix-signature: v1,<b64>` over
 * `${id}.${timestamp}.${body}`, keyed by the base64 part of `whsec_…`; typed by `type`
 * (`email.delivered`). (https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests)
 */
export function resend(options: ResendSchemeOptions): HeaderSigningScheme {
  return defineScheme(standardWebhooksPreset("resend", standardWebhooksKey, "svix"), options);
}
