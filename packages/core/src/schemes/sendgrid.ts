import { ecdsaPrivateKey, ecdsaPublicKey } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";
import { eventsAt, splitBatch } from "./batches.js";

/**
 * The Event Webhook's verification key (base64 ECDSA P-256 public key, or several); add a
 * `privateKey` (base64 PKCS#8 or PEM) to sign test deliveries. Given only a `privateKey`, its
 * public half verifies.
 */
export type SendgridSchemeOptions =
  | { publicKey: SecretInput; privateKey?: SecretInput }
  | { publicKey?: undefined; privateKey: SecretInput };

const events = eventsAt();

/**
 * SendGrid Event Webhook: `X-Twilio-Email-Event-Webhook-Signature` (base64 DER ECDSA P-256 /
 * SHA-256) over `${X-Twilio-Email-Event-Webhook-Timestamp}${body}`, checked with the verification
 * key. One request is a batch: `split` makes one delivery per event, keyed by its `sg_event_id`
 * and typed by its `event` (`delivered`, `open`, `bounce`, …); an event without one is keyed by
 * the signature in its canonical form (low S, minimal DER: SendGrid's signer may send either S,
 * and both verify) and its position in the batch.
 * (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features)
 */
export function sendgrid(options: SendgridSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "sendgrid",
      signatures: [
        {
          header: "x-twilio-email-event-webhook-signature",
          format: { type: "plain" },
          algorithm: "ecdsa-p256-sha256",
          encoding: "base64",
        },
      ],
      timestamp: { header: "x-twilio-email-event-webhook-timestamp", unit: "s" },
      content: "{timestamp}{body}",
      key: options.publicKey === undefined ? ecdsaPrivateKey : ecdsaPublicKey,
      type: ({ payload }) => {
        const list = events(payload);
        const only = list.length === 1 ? (list[0] as { event?: unknown }).event : undefined;
        return typeof only === "string" ? only : "batch";
      },
      split: splitBatch({ events, id: (e) => e.sg_event_id, type: (e) => e.event }),
    },
    {
      secret: options.publicKey ?? options.privateKey,
      signingKey: options.privateKey,
      signingKeyDecoder: ecdsaPrivateKey,
      optionName:
        options.publicKey === undefined && options.privateKey !== undefined ? "privateKey" : "publicKey",
    },
  );
}
/** SendGrid signs with an ECDSA P-256 private key: the CLI's and test kit's `--secret`. */
sendgrid.fromSigningSecret = (privateKey: string): HeaderSigningScheme => sendgrid({ privateKey });
