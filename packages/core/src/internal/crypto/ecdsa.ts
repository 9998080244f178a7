import type { KeyObject } from "node:crypto";
import { concatBytes, toBase64 } from "../bytes.js";
import { runtime } from "../runtime.js";
import {
  type Chunk,
  cachedNodeKey,
  ECDSA_DER_BYTES,
  type EcdsaKey,
  joinChunks,
  node,
  ownBuffer,
  subtle,
  webKey,
} from "./shared.js";

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
  if (nc) {
    // workerd's node:crypto (nodejs_compat) returns the largest DER size (72 bytes), zero-padded
    // after the SEQUENCE: keep the SEQUENCE only, as Node does.
    const der = nc.sign("sha256", joinChunks(chunks), nodeEcdsaPrivateKey(key.pkcs8));
    return der[0] === 0x30 && der[1]! + 2 < der.length ? der.subarray(0, der[1]! + 2) : der;
  }
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
