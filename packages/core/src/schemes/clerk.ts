import { standardWebhooksKey } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";
import { standardWebhooksPreset } from "./standard-webhooks-preset.js";

/** Options for {@link clerk}. */
export interface ClerkSchemeOptions {
  /** The endpoint's signing secret (`whsec_…`), or several during rotation. */
  secret: SecretInput;
}

/**
 * Clerk (sent through Svix): `svix-id`, `svix-timestamp`, `svix-signature: v1,<b64>` over
 * `${id}.${timestamp}.${body}`, keyed by the base64 part of `whsec_…`; typed by `type`
 * (`user.created`). (https://clerk.com/docs/webhooks/sync-data)
 */
export function clerk(options: ClerkSchemeOptions): HeaderSigningScheme {
  return defineScheme(standardWebhooksPreset("clerk", standardWebhooksKey, "svix"), options);
}
