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

/**
 * Discord interactions: `X-Signature-Ed25519` (hex) over `${X-Signature-Timestamp}${body}`,
 * checked with the application's public key. Types are named (`application_command`, …),
 * and a PING (type 1) is answered with `{"type":1}` once the signature checks out.
 * (https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers)
 */
export function discord(options: DiscordSchemeOptions): HeaderSigningScheme {
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
    },
    {
      secret: options.publicKey ?? options.privateKey,
      signingKey: options.privateKey,
      signingKeyDecoder: ed25519PrivateHex,
      optionName:
        options.publicKey === undefined && options.privateKey !== undefined ? "privateKey" : "publicKey",
    },
  );
}

/** Discord signs with the application's Ed25519 private key: the CLI's and test kit's `--secret`. */
discord.fromSigningSecret = (privateKey: string): HeaderSigningScheme => discord({ privateKey });
