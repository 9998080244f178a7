import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link intercom}. */
export interface IntercomSchemeOptions {
  /** The app's client secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * Intercom: `X-Hub-Signature: sha1=<hex>`, HMAC-SHA1 over the body keyed by the app's client
 * secret; the id and type are the notification's `id` and `topic` (`conversation.user.created`).
 * (https://developers.intercom.com/docs/references/webhooks/webhook-models#signed-notifications)
 */
export function intercom(options: IntercomSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "intercom",
      signatures: [
        {
          header: "x-hub-signature",
          format: { type: "plain", prefix: "sha1=" },
          algorithm: "sha1",
          encoding: "hex",
        },
      ],
      content: "{body}",
      key: utf8Key,
      id: { payload: "id" },
      type: { payload: "topic" },
    },
    options,
  );
}
