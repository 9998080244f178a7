import type { KeyObject } from "node:crypto";
import { concatBytes, utf8 } from "../bytes.js";
import { forceWebRuntime, runtime } from "../runtime.js";

// What every algorithm shares: key material types, the runtime's crypto, key caches, constant-time compare.

export type HmacHash = "sha1" | "sha256" | "sha512";
export type Chunk = string | Uint8Array;

/** A secret key for HMAC, decoded once when the scheme is created. */
export interface HmacKey {
  readonly kind: "hmac";
  readonly bytes: Uint8Array;
}

/** An Ed25519 key: the public half, the 32-byte seed (private key) when the key can sign, or both. */
export interface Ed25519Key {
  readonly kind: "ed25519";
  readonly publicKey?: Uint8Array;
  readonly seed?: Uint8Array;
}

/**
 * An ECDSA P-256 key (SendGrid): the public key as DER SubjectPublicKeyInfo, the private key as
 * DER PKCS#8 when the key can sign, or both.
 */
export interface EcdsaKey {
  readonly kind: "ecdsa";
  readonly spki?: Uint8Array;
  readonly pkcs8?: Uint8Array;
}

/** An RSA public key (a signing certificate's: AWS SNS, PayPal), as DER SubjectPublicKeyInfo. */
export interface RsaKey {
  readonly kind: "rsa";
  readonly spki: Uint8Array;
  readonly pkcs8?: undefined;
}

/** An RSA private key (test signing for certificate schemes: SNS, PayPal), as DER PKCS#8. */
export interface RsaPrivateKey {
  readonly kind: "rsa-private";
  readonly pkcs8: Uint8Array;
  readonly spki?: undefined;
}

export type CryptoKeyMaterial = HmacKey | Ed25519Key | EcdsaKey | RsaKey | RsaPrivateKey;

export const WEB_HASH: Record<HmacHash, string> = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" };
/** Digest length in bytes of each HMAC hash, and of an Ed25519 signature. */
export const SIGNATURE_BYTES = { sha1: 20, sha256: 32, sha512: 64, ed25519: 64 } as const;
/** Length bounds of a DER-encoded ECDSA P-256 signature (SEQUENCE of two INTEGERs of at most 33 bytes). */
export const ECDSA_DER_BYTES = { min: 8, max: 72 } as const;

/**
 * Forces the Web Crypto path (and Web byte helpers) even where node:crypto exists. For tests of
 * the edge path under Node; never needed in applications.
 * @internal
 */
export function forceWebCrypto(on: boolean): void {
  forceWebRuntime(on);
}

export function node() {
  return runtime.crypto;
}

export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error("hookgate: this runtime has neither node:crypto nor Web Crypto (crypto.subtle)");
  return s;
}

export const nodeKeys = new WeakMap<object, KeyObject>();

/** The node:crypto KeyObject of a key, made once (for asymmetric keys; the HMAC path inlines it). */
export function cachedNodeKey(key: object, make: () => KeyObject): KeyObject {
  let keyObject = nodeKeys.get(key);
  if (!keyObject) nodeKeys.set(key, (keyObject = make()));
  return keyObject;
}
export const webKeys = new WeakMap<object, Map<string, Promise<CryptoKey>>>();

export function webKey(
  material: object,
  cacheKey: string,
  make: () => Promise<CryptoKey>,
): Promise<CryptoKey> {
  let byUse = webKeys.get(material);
  if (!byUse) webKeys.set(material, (byUse = new Map()));
  let key = byUse.get(cacheKey);
  if (!key) byUse.set(cacheKey, (key = make()));
  return key;
}

export function joinChunks(chunks: readonly Chunk[]): Uint8Array {
  if (chunks.length === 1 && typeof chunks[0] !== "string") return chunks[0]!;
  return concatBytes(chunks.map((c) => (typeof c === "string" ? utf8(c) : c)));
}

export function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  // Web Crypto's types want an ArrayBuffer-backed view; copying is the portable way to get one.
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/**
 * SHA-256 of the chunks in order (Twilio's `bodySHA256`, Meta's token comparison, the content id
 * of a delivery whose id header is unsigned): synchronous where node:crypto is present, each chunk
 * fed as it is (no copy).
 */
export function sha256(chunks: readonly Chunk[]): Uint8Array | Promise<Uint8Array> {
  const nc = node();
  if (nc) {
    const hash = nc.createHash("sha256");
    for (const chunk of chunks) hash.update(chunk);
    return hash.digest();
  }
  return subtle()
    .digest("SHA-256", ownBuffer(joinChunks(chunks)))
    .then((digest) => new Uint8Array(digest));
}

/** Constant-time equality of two byte strings of equal length (false, at once, for unequal lengths). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const nc = node();
  if (nc) return nc.timingSafeEqual(a, b);
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
