import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { Scheme } from "../types.js";
import type { SecretSchemeOptions } from "./shared.js";

/** Options for {@link mailgun}: the domain's HTTP webhook signing key, or several during rotation. */
export type MailgunSchemeOptions = SecretSchemeOptions;

/**
 * Mailgun: the signature travels in the body — `signature: { timestamp, token, signature }` in
 * JSON webhooks, top-level fields in form-encoded ones — as hex HMAC-SHA256 of `${timestamp}${token}`
 * keyed by the HTTP webhook signing key (not the API key). Mailgun signs only the timestamp and
 * token, not the event: the delivery id is the `token` (single-use, so a replay is a duplicate)
 * and the freshness check bounds how long it can be replayed. Typed by `event-data.event`
 * (`delivered`). An unreadable body is answered 406, which Mailgun reads as "do not retry"
 * (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhooks). Test deliveries
 * come from `signRequest`, which writes the signature into the body; there is no header `sign`.
 * (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks)
 *
 * @example
 * const { headers, rawBody } = await schemes.mailgun({ secret }).signRequest({
 *   rawBody: JSON.stringify({ "event-data": { event: "delivered", recipient: "a@example.com" } }),
 * });
 */
export function mailgun(options: MailgunSchemeOptions): Scheme {
  return defineScheme(
    {
      name: "mailgun",
      bodySignature: {
        json: "signature",
        signature: "signature",
        fields: ["timestamp", "token"],
        id: "token",
        algorithm: "sha256",
        encoding: "hex",
      },
      timestamp: { field: "timestamp", unit: "s" },
      content: "{timestamp}{field:token}",
      key: utf8Key,
      id: { payload: ["signature.token", "token"] },
      type: { payload: ["event-data.event", "event"] },
      contentTypes: ["application/json", "application/x-www-form-urlencoded"],
      responses: { invalid_payload: 406, schema_validation_failed: 406 },
      mismatchHint: () => "Use the HTTP webhook signing key, not the API key.",
    },
    options,
  );
}
