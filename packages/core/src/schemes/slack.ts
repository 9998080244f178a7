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
 * A synchronous answer to a Slack slash command or interaction: a message
 * (https://api.slack.com/interactivity/handling#message_responses), a modal's `response_action`
 * (https://api.slack.com/surfaces/modals#updating_response), or nothing (an empty 200).
 */
export type SlackAnswer =
  | {
      text?: string;
      blocks?: readonly object[];
      attachments?: readonly object[];
      /** `ephemeral` (the default: only the user sees it) or `in_channel`. */
      response_type?: "ephemeral" | "in_channel";
      replace_original?: boolean;
      delete_original?: boolean;
      thread_ts?: string;
    }
  | { response_action: "errors"; errors: Readonly<Record<string, string>> }
  | { response_action: "update" | "push"; view: object }
  | { response_action: "clear" }
  | undefined;

/**
 * Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 over `v0:${X-Slack-Request-Timestamp}:${body}`
 * (https://api.slack.com/authentication/verifying-requests-from-slack). Events API deliveries
 * are typed by `event.type` and keyed by `event_id`, so Slack's retries are deduplicated;
 * interactivity payloads (`payload=` forms) by their `type`; slash commands are `slash_command`.
 * A `url_verification` is answered with its challenge.
 */
export function slack(options: SlackSchemeOptions): HeaderSigningScheme<SlackAnswer> {
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
      // Events, slash commands and interactions are acknowledged within 3 s; an empty 200 acknowledges
      // without a message (the answer can follow through the `response_url`).
      // (https://api.slack.com/interactivity/slash-commands#responding_basic_receipt)
      deadline: { ms: 3000, deferred: { body: "", contentType: "text/plain; charset=utf-8" } },
    },
    options,
  ) as HeaderSigningScheme<SlackAnswer>;
}
