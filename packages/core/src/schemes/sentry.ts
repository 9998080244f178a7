import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link sentry}. */
export interface SentrySchemeOptions {
  /** The integration's client secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * Sentry integration platform: `Sentry-Hook-Signature: <hex>`, HMAC-SHA256 over the body keyed by
 * the client secret. The id is `Request-ID`; the type is `Sentry-Hook-Resource` plus the payload's
 * `action` (`issue.created`), so a handler for `issue` receives every issue action.
 * (https://docs.sentry.io/organization/integrations/integration-platform/webhooks/#verifying-the-signature)
 */
export function sentry(options: SentrySchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "sentry",
      signatures: [
        { header: "sentry-hook-signature", format: { type: "plain" }, algorithm: "sha256", encoding: "hex" },
      ],
      content: "{body}",
      key: utf8Key,
      id: { header: "request-id" },
      type: { header: "sentry-hook-resource", action: "action" },
      signHeaders: ({ timestamp }) => ({
        "sentry-hook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
      }),
    },
    options,
  );
}
