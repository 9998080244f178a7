import { toHex } from "../internal/bytes.js";
import { type CryptoKeyMaterial, hmac } from "../internal/crypto.js";
import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import { parseJson } from "../scheme/payload.js";
import type {
  ChallengeRequest,
  Delivery,
  HandshakeReply,
  HeaderSigningScheme,
  SecretInput,
} from "../types.js";

/** Options for {@link zoom}. */
export interface ZoomSchemeOptions {
  /** The app's webhook secret token, or several during rotation. */
  secret: SecretInput;
}

interface ZoomPayload {
  event?: unknown;
  payload?: { plainToken?: unknown };
}

/**
 * Zoom: `x-zm-signature: v0=<hex>`, HMAC-SHA256 over `v0:${x-zm-request-timestamp}:${body}` with
 * the secret token; typed by `event` (`meeting.started`). An `endpoint.url_validation` is verified
 * like any delivery, then answered with `{ plainToken, encryptedToken }` — the token's HMAC-SHA256
 * (hex) under the secret that verified it — without running handlers.
 * (https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events)
 */
export function zoom(options: ZoomSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "zoom",
      signatures: [
        {
          header: "x-zm-signature",
          format: { type: "plain", prefix: "v0=" },
          algorithm: "sha256",
          encoding: "hex",
        },
      ],
      timestamp: { header: "x-zm-request-timestamp", unit: "s" },
      content: "v0:{timestamp}:{body}",
      key: utf8Key,
      type: { payload: "event" },
      // Zoom signs the validation request too: the engine answers only one that verifies.
      signedHandshake: { matches: isUrlValidation, reply: answerUrlValidation },
    },
    options,
  );
}

function isUrlValidation(request: ChallengeRequest): boolean {
  if (request.method !== "POST") return false;
  const text = new TextDecoder().decode(request.rawBody);
  if (!text.includes("endpoint.url_validation")) return false;
  try {
    return (parseJson(text) as ZoomPayload)?.event === "endpoint.url_validation";
  } catch {
    return false; // not a validation: verify as usual, which reports the body
  }
}

/** `{ plainToken, encryptedToken }`: the token's HMAC-SHA256 (hex) under the secret that verified it. */
async function answerUrlValidation(
  delivery: Delivery,
  key: CryptoKeyMaterial,
): Promise<HandshakeReply | undefined> {
  const plainToken = (delivery.payload as ZoomPayload).payload?.plainToken;
  if (typeof plainToken !== "string" || key.kind !== "hmac") return undefined;
  const encrypted = await hmac("sha256", key, [plainToken]);
  return { body: { plainToken, encryptedToken: toHex(encrypted) } };
}
