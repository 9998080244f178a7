const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

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
