import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link trello}. */
export interface TrelloSchemeOptions {
  /** The application's secret (the API key's OAuth secret), or several during rotation. */
  secret: SecretInput;
}

/**
 * Trello: `X-Trello-Webhook: <base64>`, HMAC-SHA1 over the body followed by the webhook's
 * `callbackURL` — pass the public `url`. The id and type are the payload's `action.id` and
 * `action.type` (`updateCard`). The HEAD request Trello sends when the webhook is created is
 * answered 200. (https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/#webhook-signatures)
 */
export function trello(options: TrelloSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "trello",
      signatures: [
        { header: "x-trello-webhook", format: { type: "plain" }, algorithm: "sha1", encoding: "base64" },
      ],
      content: "{body}{url}",
      key: utf8Key,
      id: { payload: "action.id" },
      type: { payload: "action.type" },
      challenge: ({ method }) => (method === "HEAD" ? { body: "", contentType: "text/plain" } : undefined),
    },
    options,
  );
}
