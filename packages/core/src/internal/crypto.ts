import type { KeyObject } from "node:crypto";
import { concatBytes, fromBase64Url, toBase64, toBase64Url, utf8 } from "./bytes.js";
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

/**
 * An ECDSA P-256 key (SendGrid): the public key as DER SubjectPublicKeyInfo, the private key as
 * DER PKCS#8 when the key can sign, or both.
 */
export interface EcdsaKey {
  readonly kind: "ecdsa";
  readonly spki?: Uint8Array;
  readonly pkcs8?: Uint8Array;
}

export type CryptoKeyMaterial = HmacKey | Ed25519Key | EcdsaKey;

const WEB_HASH: Record<HmacHash, string> = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" };
/** Digest length in bytes of each HMAC hash, and of an Ed25519 signature. */
export const SIGNATURE_BYTES = { sha1: 20, sha256: 32, sha512: 64, ed25519: 64 } as const;
/** Length bounds of a DER-encoded ECDSA P-256 signature (SEQUENCE of two INTEGERs of at most 33 bytes). */
export const ECDSA_DER_BYTES = { min: 8, max: 72 } as const;

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

/** The node:crypto KeyObject of a key, made once (for asymmetric keys; the HMAC path inlines it). */
function cachedNodeKey(key: object, make: () => KeyObject): KeyObject {
  let keyObject = nodeKeys.get(key);
  if (!keyObject) nodeKeys.set(key, (keyObject = make()));
  return keyObject;
}
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
    const keyObject = cachedNodeKey(key, () =>
      key.publicKey
        ? nc.createPublicKey({
            key: { kty: "OKP", crv: "Ed25519", x: toBase64Url(key.publicKey) },
            format: "jwk",
          })
        : nc.createPublicKey(nodePrivateKey(key.seed!)),
    );
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

const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;

/** DER `SEQUENCE { INTEGER r, INTEGER s }` → the 64-byte `r ‖ s` Web Crypto uses; undefined if malformed. */
export function ecdsaDerToRaw(der: Uint8Array): Uint8Array | undefined {
  if (der.length < ECDSA_DER_BYTES.min || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const out = new Uint8Array(64);
  let at = 2;
  for (const offset of [0, 32]) {
    if (der[at] !== 0x02) return undefined;
    const length = der[at + 1]!;
    let value = der.subarray(at + 2, at + 2 + length);
    if (value.length !== length || length === 0) return undefined;
    while (value.length > 32 && value[0] === 0) value = value.subarray(1);
    if (value.length > 32) return undefined;
    out.set(value, offset + 32 - value.length);
    at += 2 + length;
  }
  return at === der.length ? out : undefined;
}

function derInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const value = bytes.subarray(start);
  const pad = value[0]! & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + value.length);
  out[0] = 0x02;
  out[1] = pad + value.length;
  out.set(value, 2 + pad);
  return out;
}

/** The 64-byte `r ‖ s` of Web Crypto → DER, as SendGrid (and node:crypto by default) encode it. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const body = concatBytes([derInteger(raw.subarray(0, 32)), derInteger(raw.subarray(32))]);
  return concatBytes([new Uint8Array([0x30, body.length]), body]);
}

// The order n of P-256's base point (FIPS 186-4 §D.1.2.3), and n / 2.
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256_HALF_N = P256_N >> 1n;

/**
 * One encoding per ECDSA P-256 signature: minimal DER integers and low S (s ≤ n/2, else n − s).
 * (r, s) and (r, n − s) both verify, and a lenient DER reader also takes padded integers, so a
 * signature's bytes are not unique; these are. Undefined if `der` is not a signature's shape.
 * Signers need not be low-S (SendGrid's starkbank-ecdsa is not): this names a signature, it does
 * not judge one.
 */
export function ecdsaCanonicalSignature(der: Uint8Array): Uint8Array | undefined {
  const raw = ecdsaDerToRaw(der);
  if (!raw) return undefined;
  let s = 0n;
  for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(raw[i]!);
  if (s > P256_HALF_N) {
    s = P256_N - s;
    for (let i = 63; i >= 32; i--) {
      raw[i] = Number(s & 0xffn);
      s >>= 8n;
    }
  }
  return ecdsaRawToDer(raw);
}

/** Verifies a DER ECDSA P-256 / SHA-256 signature over the chunks. */
export function ecdsaVerify(
  key: EcdsaKey,
  chunks: readonly Chunk[],
  signature: Uint8Array,
): boolean | Promise<boolean> {
  const nc = node();
  if (nc) {
    const keyObject = cachedNodeKey(key, () =>
      key.spki
        ? nc.createPublicKey({ key: runtime.buffer!.Buffer.from(key.spki), format: "der", type: "spki" })
        : nc.createPublicKey(nodeEcdsaPrivateKey(key.pkcs8!)),
    );
    try {
      return nc.verify("sha256", joinChunks(chunks), keyObject, signature);
    } catch {
      return false;
    }
  }
  const raw = ecdsaDerToRaw(signature);
  if (!raw) return false;
  return (async () => {
    const cryptoKey = await webKey(key, "verify", async () => {
      if (key.spki) return subtle().importKey("spki", ownBuffer(key.spki), ECDSA_P256, false, ["verify"]);
      const privateKey = await subtle().importKey("pkcs8", ownBuffer(key.pkcs8!), ECDSA_P256, true, ["sign"]);
      const { d: _d, ...jwk } = await subtle().exportKey("jwk", privateKey);
      return subtle().importKey("jwk", { ...jwk, key_ops: ["verify"] }, ECDSA_P256, false, ["verify"]);
    });
    return subtle().verify(ECDSA_SHA256, cryptoKey, ownBuffer(raw), ownBuffer(joinChunks(chunks)));
  })();
}

function nodeEcdsaPrivateKey(pkcs8Bytes: Uint8Array): KeyObject {
  return runtime.crypto!.createPrivateKey({
    key: runtime.buffer!.Buffer.from(pkcs8Bytes),
    format: "der",
    type: "pkcs8",
  });
}

/** Signs the chunks with ECDSA P-256 / SHA-256; the signature is DER-encoded. */
export async function ecdsaSign(key: EcdsaKey, chunks: readonly Chunk[]): Promise<Uint8Array> {
  if (!key.pkcs8) throw new Error("hookgate: this ECDSA key is a public key; signing needs the private key");
  const nc = node();
  if (nc) return nc.sign("sha256", joinChunks(chunks), nodeEcdsaPrivateKey(key.pkcs8));
  const cryptoKey = await subtle().importKey("pkcs8", ownBuffer(key.pkcs8), ECDSA_P256, false, ["sign"]);
  const raw = new Uint8Array(await subtle().sign(ECDSA_SHA256, cryptoKey, ownBuffer(joinChunks(chunks))));
  return ecdsaRawToDer(raw);
}

/** A new ECDSA P-256 key pair as base64 DER (PKCS#8 private, SPKI public): for tests and the CLI. */
export async function generateEcdsaP256(): Promise<{ privateKey: string; publicKey: string }> {
  const pair = await subtle().generateKey(ECDSA_P256, true, ["sign", "verify"]);
  const b64 = (buffer: ArrayBuffer) => toBase64(new Uint8Array(buffer));
  return {
    privateKey: b64(await subtle().exportKey("pkcs8", pair.privateKey)),
    publicKey: b64(await subtle().exportKey("spki", pair.publicKey)),
  };
}

/** An RSA public key (AWS SNS signing certificates), as DER SubjectPublicKeyInfo. */
export interface RsaKey {
  readonly kind: "rsa";
  readonly spki: Uint8Array;
}

/** Reads one DER element at `at`: its tag, where its content starts, and where it ends. */
function derElement(der: Uint8Array, at: number): { tag: number; start: number; end: number } | undefined {
  const tag = der[at];
  let length = der[at + 1];
  if (tag === undefined || length === undefined) return undefined;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (der[start + i] ?? Number.NaN);
    start += bytes;
  }
  const end = start + length;
  return Number.isNaN(end) || end > der.length ? undefined : { tag, start, end };
}

/**
 * The SubjectPublicKeyInfo of a DER X.509 certificate (RFC 5280 §4.1): Certificate → tbsCertificate →
 * [version], serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo.
 */
export function certificateSpki(der: Uint8Array): Uint8Array | undefined {
  const certificate = derElement(der, 0);
  const tbs = certificate && derElement(der, certificate.start);
  if (!tbs || certificate.tag !== 0x30 || tbs.tag !== 0x30) return undefined;
  let at = tbs.start;
  let element = derElement(der, at);
  if (element?.tag === 0xa0) element = derElement(der, (at = element.end));
  // serialNumber, signature, issuer, validity, subject
  for (let i = 0; i < 5 && element; i++) element = derElement(der, (at = element.end));
  return element?.tag === 0x30 ? der.slice(at, element.end) : undefined;
}

/** Verifies an RSASSA-PKCS1-v1_5 signature (SHA-1 or SHA-256) over the chunks. */
export function rsaVerify(
  hash: "sha1" | "sha256",
  key: RsaKey,
  chunks: readonly Chunk[],
  signature: Uint8Array,
): boolean | Promise<boolean> {
  const nc = node();
  if (nc) {
    const keyObject = cachedNodeKey(key, () =>
      nc.createPublicKey({ key: runtime.buffer!.Buffer.from(key.spki), format: "der", type: "spki" }),
    );
    try {
      return nc.verify(hash, joinChunks(chunks), keyObject, signature);
    } catch {
      return false;
    }
  }
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: WEB_HASH[hash] };
  return (async () => {
    const cryptoKey = await webKey(key, hash, () =>
      subtle().importKey("spki", ownBuffer(key.spki), algorithm, false, ["verify"]),
    );
    return subtle().verify(algorithm, cryptoKey, ownBuffer(signature), ownBuffer(joinChunks(chunks)));
  })();
}

/** An RSA private key (test signing of SNS messages), as DER PKCS#8. */
export interface RsaPrivateKey {
  readonly kind: "rsa-private";
  readonly pkcs8: Uint8Array;
}

/** Signs the chunks with RSASSA-PKCS1-v1_5 (SHA-1 or SHA-256): what SNS puts in `Signature`. */
export async function rsaSign(
  hash: "sha1" | "sha256",
  key: RsaPrivateKey,
  chunks: readonly Chunk[],
): Promise<Uint8Array> {
  const nc = node();
  if (nc) {
    const keyObject = nc.createPrivateKey({
      key: runtime.buffer!.Buffer.from(key.pkcs8),
      format: "der",
      type: "pkcs8",
    });
    return new Uint8Array(nc.sign(hash, joinChunks(chunks), keyObject));
  }
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: WEB_HASH[hash] };
  const cryptoKey = await subtle().importKey("pkcs8", ownBuffer(key.pkcs8), algorithm, false, ["sign"]);
  return new Uint8Array(await subtle().sign(algorithm, cryptoKey, ownBuffer(joinChunks(chunks))));
}
