const PKCS8_ED25519_PREFIX = "302e020100300506032b657004220420";

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** An Ed25519 key pair as hex strings: `publicKey` for the receiver, `privateKey` (the 32-byte seed) to sign. */
export interface Ed25519KeyPair {
  publicKey: string;
  privateKey: string;
}

/**
 * A fresh Ed25519 key pair, for testing Discord interactions: the receiver verifies with
 * `publicKey` as Discord's application public key, and a scheme given `privateKey` signs.
 *
 * @example
 * const { publicKey, privateKey } = await ed25519KeyPair();
 * const receiver = createReceiver({ scheme: schemes.discord({ publicKey }) });
 * const fixture = await signedFixture(schemes.discord({ publicKey, privateKey }), fixtures.discord.applicationCommand());
 */
export async function ed25519KeyPair(): Promise<Ed25519KeyPair> {
  const pair = (await globalThis.crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const jwk = await globalThis.crypto.subtle.exportKey("jwk", pair.privateKey);
  return { publicKey: toHex(fromBase64Url(jwk.x!)), privateKey: toHex(fromBase64Url(jwk.d!)) };
}

/** The public key (hex) of an Ed25519 private key given as a hex seed. */
export async function ed25519PublicKeyOf(privateKey: string): Promise<string> {
  if (!/^[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new TypeError("hookgate: an Ed25519 private key is 64 hex characters (the 32-byte seed)");
  }
  const key = await globalThis.crypto.subtle.importKey(
    "pkcs8",
    fromHex(PKCS8_ED25519_PREFIX + privateKey),
    { name: "Ed25519" },
    true,
    ["sign"],
  );
  const jwk = await globalThis.crypto.subtle.exportKey("jwk", key);
  return toHex(fromBase64Url(jwk.x!));
}
