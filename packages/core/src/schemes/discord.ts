import { ed25519PrivateHex, ed25519PublicHex } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link discord}. */
/**
 * The application's PUBLIC KEY (hex, or several) to verify; add an Ed25519 `privateKey` (hex
 * seed) to sign test deliveries. Given only a `privateKey`, its public key verifies.
 */
export type DiscordSchemeOptions =
  | { publicKey: SecretInput; privateKey?: SecretInput }
  | { publicKey?: undefined; privateKey: SecretInput };

const INTERACTION_TYPES: Record<number, string> = {
  1: "ping",
  2: "application_command",
  3: "message_component",
  4: "application_command_autocomplete",
  5: "modal_submit",
};

interface DiscordPayload {
  id?: unknown;
  type?: unknown;
  event?: { type?: unknown };
}

/** The message an interaction response carries (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-messages). */
export interface DiscordMessageData {
  content?: string;
  tts?: boolean;
  embeds?: readonly object[];
  allowed_mentions?: object;
  /** `64`: EPHEMERAL, only the invoking user sees it. */
  flags?: number;
  components?: readonly object[];
  attachments?: readonly object[];
  poll?: object;
}

/**
 * An interaction response: what a `receiver.respond` handler returns for Discord
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type).
 * A PING's PONG (type 1) is answered by the scheme itself.
 */
export type DiscordInteractionResponse =
  /** CHANNEL_MESSAGE_WITH_SOURCE */
  | { type: 4; data: DiscordMessageData }
  /** DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: the message follows through the interaction webhook. */
  | { type: 5; data?: { flags?: number } }
  /** DEFERRED_UPDATE_MESSAGE (components) */
  | { type: 6 }
  /** UPDATE_MESSAGE (components) */
  | { type: 7; data: DiscordMessageData }
  /** APPLICATION_COMMAND_AUTOCOMPLETE_RESULT */
  | { type: 8; data: { choices: ReadonlyArray<{ name: string; value: string | number }> } }
  /** MODAL */
  | { type: 9; data: { custom_id: string; title: string; components: readonly object[] } }
  /** LAUNCH_ACTIVITY */
  | { type: 12 };

/**
 * Discord interactions: `X-Signature-Ed25519` (hex) over `${X-Signature-Timestamp}${body}`,
 * checked with the application's public key. Types are named (`application_command`, …),
 * and a PING (type 1) is answered with `{"type":1}` once the signature checks out.
 * (https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers)
 */
export function discord(options: DiscordSchemeOptions): HeaderSigningScheme<DiscordInteractionResponse> {
  return defineScheme(
    {
      name: "discord",
      signatures: [
        { header: "x-signature-ed25519", format: { type: "plain" }, algorithm: "ed25519", encoding: "hex" },
      ],
      timestamp: { header: "x-signature-timestamp", unit: "s" },
      content: "{timestamp}{body}",
      // Without a public key, the private key's own public half verifies (derived, not stored).
      key: options.publicKey === undefined ? ed25519PrivateHex : ed25519PublicHex,
      id: { payload: "id" },
      type: ({ payload }) => {
        const p = payload as DiscordPayload;
        if (typeof p.event?.type === "string") return p.event.type;
        return typeof p.type === "number" ? (INTERACTION_TYPES[p.type] ?? String(p.type)) : undefined;
      },
      handshake: ({ payload }) =>
        (payload as DiscordPayload).type === 1 ? { body: { type: 1 } } : undefined,
      // An interaction is answered within 3 s, or deferred with DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
      // and followed up through the interaction webhook (valid 15 minutes).
      // (https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction)
      deadline: { ms: 3000, deferred: { body: { type: 5 } } },
    },
    {
      secret: options.publicKey ?? options.privateKey,
      signingKey: options.privateKey,
      signingKeyDecoder: ed25519PrivateHex,
      optionName:
        options.publicKey === undefined && options.privateKey !== undefined ? "privateKey" : "publicKey",
    },
  ) as HeaderSigningScheme<DiscordInteractionResponse>;
}

/** Discord signs with the application's Ed25519 private key: the CLI's and test kit's `--secret`. */
discord.fromSigningSecret = (privateKey: string): HeaderSigningScheme => discord({ privateKey });
