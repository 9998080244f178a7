import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link telegram}. */
export interface TelegramSchemeOptions {
  /** The `secret_token` given to `setWebhook`, or several during rotation. */
  secret: SecretInput;
}

/**
 * Telegram Bot API: no signature — `X-Telegram-Bot-Api-Secret-Token` carries the `secret_token`
 * given to `setWebhook`, compared in constant time. The id is the update's `update_id`; the type
 * is the update's kind (`message`, `callback_query`, …). The body is not signed: use HTTPS.
 * (https://core.telegram.org/bots/api#setwebhook)
 */
export function telegram(options: TelegramSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "telegram",
      signatures: [
        {
          header: "x-telegram-bot-api-secret-token",
          format: { type: "plain" },
          algorithm: "token",
          encoding: "text",
        },
      ],
      content: "{body}",
      key: utf8Key,
      id: { payload: "update_id" },
      type: ({ payload }) =>
        payload && typeof payload === "object"
          ? Object.keys(payload).find((key) => key !== "update_id")
          : undefined,
    },
    options,
  );
}
