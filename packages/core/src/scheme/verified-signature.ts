import type { CryptoKeyMaterial } from "../internal/crypto.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { Delivery, MatchedSecret } from "../types.js";

const SIGNATURE = Symbol.for("hookgate.verifiedSignature");
const KEY = Symbol.for("hookgate.matchedKey");
const SECRETS = Symbol.for("hookgate.secretSet");

/**
 * Attaches the signature that verified a delivery, and the key that matched it (hidden: not
 * enumerable, not serialized). A handshake that must answer with the secret's HMAC (Zoom) uses the key.
 */
export function attachVerifiedSignature(
  delivery: Delivery,
  signature: Uint8Array | undefined,
  key?: CryptoKeyMaterial,
  secrets?: readonly DecodedSecret[],
): void {
  if (signature) Object.defineProperty(delivery, SIGNATURE, { value: signature, enumerable: false });
  if (key) Object.defineProperty(delivery, KEY, { value: key, enumerable: false });
  if (secrets) Object.defineProperty(delivery, SECRETS, { value: secrets, enumerable: false });
}

/**
 * A delivery as `verify` returns it: its fields are plain own data, and the signature and key that
 * verified it are reached through getters on the prototype, under the same symbols as
 * {@link attachVerifiedSignature}'s hidden properties (not own, not enumerable, not serialized,
 * dropped by a spread). Two `Object.defineProperty` calls per request cost about a tenth of a
 * 1 KiB verify; a class's private fields cost nothing extra.
 */
export class VerifiedDelivery implements Delivery {
  declare id: string;
  declare type: string;
  declare timestamp?: Date;
  declare payload: unknown;
  declare rawBody: Uint8Array;
  declare scheme: string;
  declare matchedSecret: MatchedSecret;
  readonly #signature: Uint8Array | undefined;
  readonly #key: CryptoKeyMaterial;
  readonly #secrets: readonly DecodedSecret[];

  constructor(
    id: string,
    type: string,
    payload: unknown,
    rawBody: Uint8Array,
    scheme: string,
    matchedSecret: MatchedSecret,
    timestampMs: number | undefined,
    signature: Uint8Array | undefined,
    key: CryptoKeyMaterial,
    secrets: readonly DecodedSecret[],
  ) {
    // The same own properties, in the same order, as the object literal `verify` used to build.
    this.id = id;
    this.type = type;
    this.payload = payload;
    this.rawBody = rawBody;
    this.scheme = scheme;
    this.matchedSecret = matchedSecret;
    if (timestampMs !== undefined) this.timestamp = new Date(timestampMs);
    this.#signature = signature;
    this.#key = key;
    this.#secrets = secrets;
  }

  get [SIGNATURE](): Uint8Array | undefined {
    return this.#signature;
  }

  get [KEY](): CryptoKeyMaterial {
    return this.#key;
  }

  get [SECRETS](): readonly DecodedSecret[] {
    return this.#secrets;
  }
}

/**
 * The secrets a delivery was verified against (the configured list, or what the secret function
 * returned for its tenant): what the receiver's identity of the delivery is derived from.
 */
export function secretSetOf(delivery: Delivery): readonly DecodedSecret[] | undefined {
  return (delivery as unknown as Record<symbol, readonly DecodedSecret[] | undefined>)[SECRETS];
}

/** The key that verified a delivery, when it came from `verify`. */
export function matchedKeyOf(delivery: Delivery): CryptoKeyMaterial | undefined {
  return (delivery as unknown as Record<symbol, CryptoKeyMaterial | undefined>)[KEY];
}

/** The signature bytes that verified a delivery, when it came from `verify`. */
export function verifiedSignatureOf(delivery: Delivery): Uint8Array | undefined {
  return (delivery as unknown as Record<symbol, Uint8Array | undefined>)[SIGNATURE];
}

/**
 * A copy of a delivery with `extra` fields that keeps the signature that verified it (a spread
 * alone drops the hidden property, and with it the idempotency key of an unsigned-id delivery).
 */
export function copyDelivery<T extends Delivery, E extends object>(delivery: T, extra: E): T & E {
  const copy = { ...delivery, ...extra };
  attachVerifiedSignature(copy, verifiedSignatureOf(delivery), matchedKeyOf(delivery), secretSetOf(delivery));
  return copy;
}
