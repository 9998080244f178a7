import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";
import { parseEmbeddedPayload } from "./shared.js";

/** Options for {@link slack}. */
export interface SlackSchemeOptions {
  /** The app's signing secret (not the verification token), or several during rotation. */
  secret: SecretInput;
}

interface SlackPayload {
  type?: unknown;
  event?: { type?: unknown };
  event_id?: unknown;
  trigger_id?: unknown;
  command?: unknown;
  challenge?: unknown;
}

/**
 * Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 over `v0:${X-Slack-Request-Timestamp}:${body}`
 * (https://api.slack.com/authentication/verifying-requests-from-slack). Events API deliveries
 * are typed by `event.type` and keyed by `event_id`, so Slack's retries are deduplicated;
 * interactivity payloads (`payload=` forms) by their `type`; slash commands are `slash_command`.
 * A `url_verification` is answered with its challenge.
 */
export function slack(options: SlackSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "slack",
      signatures: [
        {
          header: "x-slack-signature",
          format: { type: "plain", prefix: "v0=" },
          algorithm: "sha256",
          encoding: "hex",
        },
      ],
      timestamp: { header: "x-slack-request-timestamp", unit: "s" },
      content: "v0:{timestamp}:{body}",
      key: utf8Key,
      id: { payload: ["event_id", "trigger_id"] },
      type: ({ payload }) => {
        const p = payload as SlackPayload;
        if (p.type === "event_callback" && typeof p.event?.type === "string") return p.event.type;
        if (typeof p.type === "string") return p.type;
        return typeof p.command === "string" ? "slash_command" : undefined;
      },
      contentTypes: ["application/json", "application/x-www-form-urlencoded"],
      parse: parseEmbeddedPayload,
      handshake: ({ type, payload }) =>
        type === "url_verification"
          ? { body: { challenge: (payload as SlackPayload).challenge } }
          : undefined,
    },
    options,
  );
}
