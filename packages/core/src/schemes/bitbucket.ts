import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link bitbucket}. */
export interface BitbucketSchemeOptions {
  /** The webhook's secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * Bitbucket Cloud: `X-Hub-Signature: sha256=<hex>`, HMAC-SHA256 over the body. The id is
 * `X-Request-UUID`, the type `X-Event-Key` (`repo:push`, `pullrequest:created`).
 * (https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/#Secure-webhooks)
 */
export function bitbucket(options: BitbucketSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "bitbucket",
      signatures: [
        {
          header: "x-hub-signature",
          format: { type: "plain", prefix: "sha256=" },
          algorithm: "sha256",
          encoding: "hex",
        },
      ],
      content: "{body}",
      key: utf8Key,
      id: { header: "x-request-uuid" },
      type: { header: "x-event-key" },
      signHeaders: () => ({ "user-agent": "Bitbucket-Webhooks/2.0", "x-attempt-number": "1" }),
    },
    options,
  );
}
