import { runtime } from "../runtime.js";
import {
  type Chunk,
  cachedNodeKey,
  joinChunks,
  node,
  ownBuffer,
  type RsaKey,
  type RsaPrivateKey,
  subtle,
  WEB_HASH,
  webKey,
} from "./shared.js";

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

export type { RsaKey, RsaPrivateKey };
