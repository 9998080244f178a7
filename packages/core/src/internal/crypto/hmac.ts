import {
  type Chunk,
  type HmacHash,
  type HmacKey,
  joinChunks,
  node,
  nodeKeys,
  ownBuffer,
  subtle,
  WEB_HASH,
  webKey,
} from "./shared.js";

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

/** An HMAC fed as its input arrives: `update` per chunk, `digest` once at the end. */
export interface RunningHmac {
  update(chunk: Chunk): void;
  digest(): Uint8Array;
}

/**
 * An incremental HMAC on node:crypto (the key object cached as {@link hmac} caches it), or
 * undefined where only Web Crypto is present: it has no incremental API.
 */
export function runningHmac(hash: HmacHash, key: HmacKey): RunningHmac | undefined {
  const nc = node();
  if (!nc) return undefined;
  let keyObject = nodeKeys.get(key);
  if (!keyObject) nodeKeys.set(key, (keyObject = nc.createSecretKey(key.bytes)));
  return nc.createHmac(hash, keyObject);
}

async function webHmac(hash: HmacHash, key: HmacKey, chunks: readonly Chunk[]): Promise<Uint8Array> {
  const cryptoKey = await webKey(key, hash, () =>
    subtle().importKey("raw", ownBuffer(key.bytes), { name: "HMAC", hash: WEB_HASH[hash] }, false, ["sign"]),
  );
  return new Uint8Array(await subtle().sign("HMAC", cryptoKey, ownBuffer(joinChunks(chunks))));
}
