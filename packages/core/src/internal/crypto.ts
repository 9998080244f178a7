// Signature crypto, one file per algorithm under crypto/: node:crypto where present (synchronous
// HMAC on the hot path), Web Crypto elsewhere.
export {
  ecdsaCanonicalSignature,
  ecdsaDerToRaw,
  ecdsaRawToDer,
  ecdsaSign,
  ecdsaVerify,
  generateEcdsaP256,
} from "./crypto/ecdsa.js";
export { ed25519PublicKey, ed25519Sign, ed25519Verify, generateEd25519 } from "./crypto/ed25519.js";
export { hmac, type RunningHmac, runningHmac } from "./crypto/hmac.js";
export { certificateSpki, type RsaKey, type RsaPrivateKey, rsaSign, rsaVerify } from "./crypto/rsa.js";
export {
  type Chunk,
  type CryptoKeyMaterial,
  ECDSA_DER_BYTES,
  type EcdsaKey,
  type Ed25519Key,
  forceWebCrypto,
  type HmacHash,
  type HmacKey,
  SIGNATURE_BYTES,
  sha256,
  timingSafeEqual,
} from "./crypto/shared.js";
