import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link vercel}. */
export interface VercelSchemeOptions {
  /** The webhook's secret (or the integration's client secret), or several during rotation. */
  secret: SecretInput;
}

/**
 * Vercel: `x-vercel-signature: <hex>`, HMAC-SHA1 over the body; the id and type are the payload's
 * `id` and `type` (`deployment.succeeded`).
 * (https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks)
 */
export function vercel(options: VercelSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "vercel",
      signatures: [
        { header: "x-vercel-signature", format: { type: "plain" }, algorithm: "sha1", encoding: "hex" },
      ],
      content: "{body}",
      key: utf8Key,
      id: { payload: "id" },
      type: { payload: "type" },
    },
    options,
  );
}
