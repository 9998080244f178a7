import type { Delivery } from "../types.js";

const SIGNATURE = Symbol.for("hookgate.verifiedSignature");

/** Attaches the signature that verified a delivery (hidden: not enumerable, not serialized). */
export function attachVerifiedSignature(delivery: Delivery, signature: Uint8Array): void {
  Object.defineProperty(delivery, SIGNATURE, { value: signature, enumerable: false });
}

/** The signature bytes that verified a delivery, when it came from `verify`. */
export function verifiedSignatureOf(delivery: Delivery): Uint8Array | undefined {
  return (delivery as unknown as Record<symbol, Uint8Array | undefined>)[SIGNATURE];
}
