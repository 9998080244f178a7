import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link twitch}. */
export interface TwitchSchemeOptions {
  /** The secret given when creating the EventSub subscription, or several. */
  secret: SecretInput;
}

interface TwitchPayload {
  challenge?: unknown;
  event?: unknown;
  subscription?: { type?: unknown; status?: unknown };
}

/**
 * Twitch EventSub (webhook transport): `Twitch-Eventsub-Message-Signature: sha256=<hex>`,
 * HMAC-SHA256 over message id + timestamp (RFC 3339) + body. The id is
 * `Twitch-Eventsub-Message-Id`; a notification is typed by its `subscription.type`
 * (`channel.follow`). Types come from the signed payload, not the unsigned message-type header:
 * a `webhook_callback_verification` (it has a `challenge`) is answered with the challenge as
 * text/plain; a `revocation` carries the subscription alone.
 * (https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#verifying-the-event-message)
 */
export function twitch(options: TwitchSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "twitch",
      signatures: [
        {
          header: "twitch-eventsub-message-signature",
          format: { type: "plain", prefix: "sha256=" },
          algorithm: "sha256",
          encoding: "hex",
        },
      ],
      timestamp: { header: "twitch-eventsub-message-timestamp", unit: "iso" },
      content: "{id}{timestamp}{body}",
      key: utf8Key,
      id: { header: "twitch-eventsub-message-id" },
      type: ({ payload }) => {
        const p = payload as TwitchPayload;
        if (typeof p.challenge === "string") return "webhook_callback_verification";
        if (p.event === undefined && p.subscription) return "revocation";
        return typeof p.subscription?.type === "string" ? p.subscription.type : undefined;
      },
      handshake: ({ type, payload }) =>
        type === "webhook_callback_verification"
          ? { body: (payload as TwitchPayload).challenge, contentType: "text/plain" }
          : undefined,
      signHeaders: ({ type }) => ({
        "twitch-eventsub-message-type":
          type === "webhook_callback_verification" || type === "revocation" ? type : "notification",
        "twitch-eventsub-message-retry": "0",
        ...(type && type !== "webhook_callback_verification" && type !== "revocation"
          ? { "twitch-eventsub-subscription-type": type, "twitch-eventsub-subscription-version": "1" }
          : {}),
      }),
    },
    options,
  );
}
