import type { CryptoKeyMaterial } from "../internal/crypto.js";
import type { Delivery } from "../types.js";

const SIGNATURE = Symbol.for("hookgate.verifiedSignature");
const KEY = Symbol.for("hookgate.matchedKey");

/**
 * Attaches the signature that verified a delivery, and the key that matched it (hidden: not
 * enumerable, not serialized). A handshake that must answer with the secret's HMAC (Zoom) uses the key.
 */
export function attachVerifiedSignature(
  delivery: Delivery,
  signature: Uint8Array | undefined,
  key?: CryptoKeyMaterial,
): void {
  if (signature) Object.defineProperty(delivery, SIGNATURE, { value: signature, enumerable: false });
  if (key) Object.defineProperty(delivery, KEY, { value: key, enumerable: false });
}

/** The key that verified a delivery, when it came from `verify`. */
export function matchedKeyOf(delivery: Delivery): CryptoKeyMaterial | undefined {
  return (delivery as unknown as Record<symbol, CryptoKeyMaterial | undefined>)[KEY];
}

/** The signature bytes that verified a delivery, when it came from `verify`. */
export function verifiedSignatureOf(delivery: Delivery): Uint8Array | undefined {
  return (delivery as unknown as Record<symbol, Uint8Array | undefined>)[SIGNATURE];
}
