import type { KeyObject } from "node:crypto";
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from "./bytes.js";
import { forceWebRuntime, runtime } from "./runtime.js";

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

export type CryptoKeyMaterial = HmacKey | Ed25519Key;

const WEB_HASH: Record<HmacHash, string> = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" };
/** Digest length in bytes of each HMAC hash, and of an Ed25519 signature. */
export const SIGNATURE_BYTES = { sha1: 20, sha256: 32, sha512: 64, ed25519: 64 } as const;

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410 §7): a fixed 16-byte prefix.
const PKCS8_ED25519_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/**
 * Forces the Web Crypto path (and Web byte helpers) even where node:crypto exists. For tests of
 * the edge path under Node; never needed in applications.
 * @internal
 */
export function forceWebCrypto(on: boolean): void {
  forceWebRuntime(on);
}

function node() {
  return runtime.crypto;
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error("hookgate: this runtime has neither node:crypto nor Web Crypto (crypto.subtle)");
  return s;
}

const nodeKeys = new WeakMap<object, KeyObject>();
const webKeys = new WeakMap<object, Map<string, Promise<CryptoKey>>>();

function webKey(material: object, cacheKey: string, make: () => Promise<CryptoKey>): Promise<CryptoKey> {
  let byUse = webKeys.get(material);
  if (!byUse) webKeys.set(material, (byUse = new Map()));
  let key = byUse.get(cacheKey);
  if (!key) byUse.set(cacheKey, (key = make()));
  return key;
}

function joinChunks(chunks: readonly Chunk[]): Uint8Array {
  if (chunks.length === 1 && typeof chunks[0] !== "string") return chunks[0]!;
  return concatBytes(chunks.map((c) => (typeof c === "string" ? utf8(c) : c)));
}

function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  // Web Crypto's types want an ArrayBuffer-backed view; copying is the portable way to get one.
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/**
 * HMAC over the chunks in order. On Node each chunk is fed to one incremental hash, so a
 * large body is never copied to prepend a prefix; Web Crypto has no incremental API.
 */
export function hmac(
  hash: HmacHash,
  key: HmacKey,
  chunks: readonly Chunk[],
): Uint8Array | Promise<Uint8Array> {
  const nc = node();
  if (nc) {
    let keyObject = nodeKeys.get(key);
    if (!keyObject) nodeKeys.set(key, (keyObject = nc.createSecretKey(key.bytes)));
    const h = nc.createHmac(hash, keyObject);
    for (const chunk of chunks) h.update(chunk);
    return h.digest();
  }
  return webHmac(hash, key, chunks);
}

async function webHmac(hash: HmacHash, key: HmacKey, chunks: readonly Chunk[]): Promise<Uint8Array> {
  const cryptoKey = await webKey(key, hash, () =>
    subtle().importKey("raw", ownBuffer(key.bytes), { name: "HMAC", hash: WEB_HASH[hash] }, false, ["sign"]),
  );
  return new Uint8Array(await subtle().sign("HMAC", cryptoKey, ownBuffer(joinChunks(chunks))));
}

/** Hex SHA-256 of bytes (Twilio's `bodySHA256`). */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  const nc = node();
  if (nc) return nc.createHash("sha256").update(bytes).digest();
  return new Uint8Array(await subtle().digest("SHA-256", ownBuffer(bytes)));
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

function pkcs8(seed: Uint8Array): Uint8Array {
  return concatBytes([PKCS8_ED25519_PREFIX, seed]);
}

export function ed25519Verify(
  key: Ed25519Key,
  chunks: readonly Chunk[],
  signature: Uint8Array,
): boolean | Promise<boolean> {
  const nc = node();
  if (nc) {
    let keyObject = nodeKeys.get(key);
    if (!keyObject) {
      keyObject = key.publicKey
        ? nc.createPublicKey({
            key: { kty: "OKP", crv: "Ed25519", x: toBase64Url(key.publicKey) },
            format: "jwk",
          })
        : nc.createPublicKey(nodePrivateKey(key.seed!));
      nodeKeys.set(key, keyObject);
    }
    return nc.verify(null, joinChunks(chunks), keyObject, signature);
  }
  return (async () => {
    const cryptoKey = await webKey(key, "verify", async () => {
      const publicKey = key.publicKey ?? (await ed25519PublicKey(key.seed!));
      return subtle().importKey("raw", ownBuffer(publicKey), { name: "Ed25519" }, false, ["verify"]);
    });
    return subtle().verify(
      { name: "Ed25519" },
      cryptoKey,
      ownBuffer(signature),
      ownBuffer(joinChunks(chunks)),
    );
  })();
}

function nodePrivateKey(seed: Uint8Array): KeyObject {
  return runtime.crypto!.createPrivateKey({
    key: runtime.buffer!.Buffer.from(pkcs8(seed)),
    format: "der",
    type: "pkcs8",
  });
}

export async function ed25519Sign(key: Ed25519Key, chunks: readonly Chunk[]): Promise<Uint8Array> {
  if (!key.seed) throw new Error("hookgate: this Ed25519 key is a public key; signing needs the private key");
  const nc = node();
  if (nc) {
    return nc.sign(null, joinChunks(chunks), nodePrivateKey(key.seed));
  }
  const cryptoKey = await subtle().importKey(
    "pkcs8",
    ownBuffer(pkcs8(key.seed)),
    { name: "Ed25519" },
    false,
    ["sign"],
  );
  return new Uint8Array(await subtle().sign({ name: "Ed25519" }, cryptoKey, ownBuffer(joinChunks(chunks))));
}

/** The 32-byte public key of an Ed25519 seed. */
export async function ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array> {
  const nc = node();
  if (nc) {
    const jwk = nc.createPublicKey(nodePrivateKey(seed)).export({ format: "jwk" });
    return fromBase64Url(jwk.x!)!;
  }
  const cryptoKey = await subtle().importKey("pkcs8", ownBuffer(pkcs8(seed)), { name: "Ed25519" }, true, [
    "sign",
  ]);
  const jwk = await subtle().exportKey("jwk", cryptoKey);
  return fromBase64Url(jwk.x!)!;
}

/** A new random Ed25519 seed and its public key (for tests and the CLI). */
export async function generateEd25519(): Promise<{ seed: Uint8Array; publicKey: Uint8Array }> {
  const seed = new Uint8Array(32);
  globalThis.crypto.getRandomValues(seed);
  return { seed, publicKey: await ed25519PublicKey(seed) };
}
