import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";
import { eventsAt, splitBatch } from "./batches.js";

const events = eventsAt("events");

/** Options for {@link line}. */
export interface LineSchemeOptions {
  /** The channel secret, or several during rotation. */
  secret: SecretInput;
}

/**
 * LINE Messaging API: `X-Line-Signature: <base64>`, HMAC-SHA256 over the body keyed by the
 * channel secret. A request carries `events` (none for the console's "Verify"): `split` keys each
 * by its `webhookEventId` (stable across redeliveries) and types it by `type` (`message`); a
 * request of one event is typed by it, one of several `events`.
 * (https://developers.line.biz/en/docs/messaging-api/receiving-messages/#verify-signature)
 */
export function line(options: LineSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "line",
      signatures: [
        { header: "x-line-signature", format: { type: "plain" }, algorithm: "sha256", encoding: "base64" },
      ],
      content: "{body}",
      key: utf8Key,
      type: ({ payload }) => {
        const list = events(payload);
        const only = list.length === 1 ? (list[0] as { type?: unknown }).type : undefined;
        return typeof only === "string" ? only : "events";
      },
      split: splitBatch({ events, id: (e) => e.webhookEventId, type: (e) => e.type }),
    },
    options,
  );
}
