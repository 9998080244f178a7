import type { KeyObject } from "node:crypto";
import { concatBytes, fromBase64Url, toBase64Url } from "../bytes.js";
import { runtime } from "../runtime.js";
import {
  type Chunk,
  cachedNodeKey,
  type Ed25519Key,
  joinChunks,
  node,
  ownBuffer,
  subtle,
  webKey,
} from "./shared.js";

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410 §7): a fixed 16-byte prefix.
const PKCS8_ED25519_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

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
