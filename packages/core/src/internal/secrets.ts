import { WebhookError } from "../errors.js";
import type { SecretEntry, StaticSecrets } from "../types.js";
import { fromBase64, fromHex, utf8 } from "./bytes.js";
import type { CryptoKeyMaterial, EcdsaKey, Ed25519Key, HmacKey } from "./crypto.js";

/** A configured secret after decoding: the key material plus what identifies it to the operator. */
export interface DecodedSecret {
  readonly index: number;
  readonly id?: string;
  readonly key: CryptoKeyMaterial;
}

/** Turns one secret string into key material; throws a WebhookError naming the fix. */
export type KeyDecoder = (value: string, scheme: string) => CryptoKeyMaterial;

function invalid(message: string): WebhookError {
  return new WebhookError("invalid_secret", message);
}

/**
 * Decodes every configured secret once, when the scheme is created, so no request pays for it.
 * Checks the mistakes that otherwise surface as an unexplained signature mismatch.
 */
/** Refuses invalid secrets with `invalid_secret`. */
export { invalid as invalidSecret };

export function decodeSecrets(
  input: StaticSecrets | undefined,
  scheme: string,
  decode: KeyDecoder,
  optionName = "secret",
): DecodedSecret[] {
  if (input === undefined || input === null) {
    throw invalid(
      `hookgate: the ${scheme} scheme needs \`${optionName}\`: the signing secret from the sender's dashboard`,
    );
  }
  const entries: readonly SecretEntry[] = Array.isArray(input) ? input : [input as SecretEntry];
  if (entries.length === 0)
    throw invalid(`hookgate: the ${scheme} scheme got an empty \`${optionName}\` list`);
  return entries.map((entry, index) => {
    const { id, value } =
      typeof entry === "object" && entry !== null && !(entry instanceof Uint8Array)
        ? (entry as { id: string; value: string })
        : { id: undefined, value: entry as unknown };
    const where = `the ${scheme} \`${optionName}\`${entries.length > 1 ? ` #${index}` : ""}${id ? ` (${id})` : ""}`;
    if (value instanceof Uint8Array) {
      throw invalid(
        `hookgate: ${where} is bytes; pass the secret string exactly as the sender's dashboard shows it (hookgate decodes it the way ${scheme} does)`,
      );
    }
    if (typeof value !== "string" || value.length === 0) {
      throw invalid(
        `hookgate: ${where} is ${value === "" ? "empty" : `a ${typeof value}`}; expected the secret string (is the environment variable set?)`,
      );
    }
    if (value.trim() !== value) {
      throw invalid(
        `hookgate: ${where} has leading or trailing whitespace (often a newline from an env file or a copy-paste); trim it: secret.trim()`,
      );
    }
    const key = decode(value, scheme);
    return id === undefined ? { index, key } : { index, id, key };
  });
}

// Control characters (C0, DEL, C1) or U+FFFD: what random key bytes look like once decoded to a
// string by mistake. Spaces and other Unicode are legitimate in user-chosen secrets.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const DECODED_BYTES = /[\x00-\x1f\x7f-\x9f\ufffd]/;

/** The secret string's UTF-8 bytes are the key (Stripe, GitHub, Shopify, Slack, Twilio, Paddle, Linear). */
export const utf8Key: KeyDecoder = (value, scheme) => {
  if (DECODED_BYTES.test(value)) {
    throw invalid(
      `hookgate: the ${scheme} secret contains control characters: it looks base64-decoded. ${scheme} signs with the secret string itself as UTF-8; pass it unchanged`,
    );
  }
  return { kind: "hmac", bytes: utf8(value) } satisfies HmacKey;
};

/** Hex-encoded key bytes. */
export const hexKey: KeyDecoder = (value, scheme) => {
  const bytes = fromHex(value);
  if (!bytes || bytes.length === 0)
    throw invalid(`hookgate: the ${scheme} secret is not hex; expected an even number of 0-9a-f characters`);
  return { kind: "hmac", bytes };
};

/** Base64-encoded key bytes. */
export const base64Key: KeyDecoder = (value, scheme) => {
  const bytes = fromBase64(value);
  if (!bytes || bytes.length === 0) throw invalid(`hookgate: the ${scheme} secret is not standard base64`);
  return { kind: "hmac", bytes };
};

function ed25519FromBytes(bytes: Uint8Array, kind: "public" | "private", what: string): Ed25519Key {
  if (kind === "public") {
    if (bytes.length !== 32)
      throw invalid(`hookgate: ${what} must be a 32-byte Ed25519 public key; got ${bytes.length} bytes`);
    return { kind: "ed25519", publicKey: bytes };
  }
  // A private key is either the 32-byte seed, or libsodium's 64-byte seed ‖ public key.
  if (bytes.length === 32) return { kind: "ed25519", seed: bytes };
  if (bytes.length === 64)
    return { kind: "ed25519", seed: bytes.subarray(0, 32), publicKey: bytes.subarray(32) };
  throw invalid(
    `hookgate: ${what} must be a 32-byte Ed25519 seed or a 64-byte secret key; got ${bytes.length} bytes`,
  );
}

/** Hex Ed25519 public key (Discord's application public key). */
export const ed25519PublicHex: KeyDecoder = (value, scheme) => {
  const bytes = fromHex(value);
  if (!bytes)
    throw invalid(
      `hookgate: the ${scheme} public key is not hex; copy the application's PUBLIC KEY as shown`,
    );
  return ed25519FromBytes(bytes, "public", `the ${scheme} public key`);
};

/** Hex Ed25519 private key (for signing test deliveries). */
export const ed25519PrivateHex: KeyDecoder = (value, scheme) => {
  const bytes = fromHex(value);
  if (!bytes)
    throw invalid(
      `hookgate: the ${scheme} private key is not hex; expected 64 hex characters (the 32-byte seed)`,
    );
  return ed25519FromBytes(bytes, "private", `the ${scheme} private key`);
};

/**
 * Standard Webhooks keys: `whsec_` + base64 HMAC key (the prefix is optional, as in the
 * reference libraries), `whpk_` + base64 Ed25519 public key, `whsk_` + base64 Ed25519 private key.
 * See https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#signature-scheme
 */
export const standardWebhooksKey: KeyDecoder = (value, scheme) => {
  const match = /^(whsec_|whpk_|whsk_)?(.*)$/s.exec(value)!;
  const prefix = match[1] ?? "whsec_";
  const body = match[2]!;
  if (body.length === 0) {
    throw invalid(
      `hookgate: the ${scheme} secret is only "${prefix}"; the base64 part after it is missing. Copy the whole secret from the sender's dashboard`,
    );
  }
  const bytes = fromBase64(body);
  if (!bytes || bytes.length === 0) {
    throw invalid(
      `hookgate: the ${scheme} secret must be "${prefix}" followed by base64 key bytes, and the part after the prefix is not base64. Pass the secret exactly as the sender gives it (e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw)`,
    );
  }
  if (prefix === "whpk_") return ed25519FromBytes(bytes, "public", `the ${scheme} whpk_ key`);
  if (prefix === "whsk_") return ed25519FromBytes(bytes, "private", `the ${scheme} whsk_ key`);
  return { kind: "hmac", bytes };
};

// A PEM body (`-----BEGIN …-----` lines dropped) or bare base64 DER.
function derBytes(value: string): Uint8Array | undefined {
  const body = value.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  return fromBase64(body);
}

/** An ECDSA P-256 public key: base64 DER SubjectPublicKeyInfo (SendGrid's verification key), or PEM. */
export const ecdsaPublicKey: KeyDecoder = (value, scheme) => {
  const spki = derBytes(value);
  // SPKI of a P-256 key: 91 bytes, starting with the id-ecPublicKey / prime256v1 header.
  if (spki?.length !== 91 || spki[0] !== 0x30) {
    throw invalid(
      `hookgate: the ${scheme} verification key must be a base64 (or PEM) ECDSA P-256 public key, as the dashboard shows it (MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…)`,
    );
  }
  return { kind: "ecdsa", spki } satisfies EcdsaKey;
};

/** An ECDSA P-256 private key: base64 DER PKCS#8, or PEM (for signing test deliveries). */
export const ecdsaPrivateKey: KeyDecoder = (value, scheme) => {
  const pkcs8 = derBytes(value);
  if (!pkcs8 || pkcs8.length < 60 || pkcs8[0] !== 0x30) {
    throw invalid(`hookgate: the ${scheme} private key must be a base64 (or PEM) PKCS#8 ECDSA P-256 key`);
  }
  return { kind: "ecdsa", pkcs8 } satisfies EcdsaKey;
};

/** An RSA private key, PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`): signs test deliveries of certificate schemes. */
export const rsaPrivateKeyPem: KeyDecoder = (value, scheme) => {
  const match = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(value);
  const pkcs8 = match ? fromBase64(match[1]!.replace(/\s+/g, "")) : undefined;
  if (!pkcs8) {
    throw invalid(
      `hookgate: the ${scheme} signing key is not a PEM PKCS#8 RSA key (-----BEGIN PRIVATE KEY-----)${/BEGIN RSA PRIVATE KEY/.test(value) ? "; convert it: openssl pkcs8 -topk8 -nocrypt -in key.pem" : ""}`,
    );
  }
  return { kind: "rsa-private", pkcs8 };
};
