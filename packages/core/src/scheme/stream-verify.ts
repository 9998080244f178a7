import {
  type Chunk,
  type HmacHash,
  type HmacKey,
  type RunningHmac,
  runningHmac,
} from "../internal/crypto.js";
import { runtime } from "../internal/runtime.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { VerifyInput, VerifyOptions } from "../types.js";
import type { SchemeDefinition, SignatureAlgorithm } from "./definition.js";
import { templateUses } from "./signed-content.js";
import type { Checked } from "./verifier-parts.js";

// Streaming verification: for a scheme that signs `prefix + body + suffix` with a local HMAC key,
// the HMACs start from the request's head and take each chunk of the body as it is read, so the
// digest is ready at its last byte. Only an optimization: `verify` still runs every check, and
// hashes as it always did wherever no streamed digest fits exactly (`streamedDigest`).

/** Most HMACs one request runs while its body arrives (secrets × signed algorithms); the rest are computed by `verify`. */
const MAX_RUNNING = 8;

/** What the receiver knows of a request before its body. */
export type RequestHead = Omit<VerifyInput, "rawBody">;

/** The HMACs of one request, fed as its body is read. */
export interface BodyStream {
  /** Feeds the next chunk of the body, in order, to every running HMAC. */
  update(chunk: Uint8Array): void;
  /**
   * Finishes the HMACs once `body`, the bytes fed joined, is whole; undefined when what was fed
   * is not that body (then `verify` hashes it as usual). Called once.
   */
  finish(body: Uint8Array): StreamedDigests | undefined;
}

/** The digests a {@link BodyStream} finished, and exactly what they cover. */
export interface StreamedDigests {
  /** The body they cover, by identity: the very bytes `verify` is then given. */
  readonly body: Uint8Array;
  /** The signed content before and after the body, as the request's head gave it. */
  readonly prefix: string;
  readonly suffix: string;
  readonly digests: readonly { key: HmacKey; algorithm: HmacHash; digest: Uint8Array }[];
}

/** Starts a request's {@link BodyStream}, or undefined where none applies to it. */
export type StreamStart = (head: RequestHead, options: VerifyOptions) => BodyStream | undefined;

function isHmacHash(algorithm: SignatureAlgorithm): algorithm is HmacHash {
  return algorithm === "sha256" || algorithm === "sha1" || algorithm === "sha512";
}

/**
 * Whether a definition signs `prefix + {body} + suffix` where prefix and suffix come from the
 * request's head alone (id, timestamp, URL headers): a template with `{body}` once, no `{crc32}`
 * (of the body) nor `{field:…}` (of the parsed body), the signature in headers, at least one of
 * its algorithms an HMAC (the others — Standard Webhooks' `v1a` Ed25519 — are compared by `verify`
 * as usual). Decided from the definition, never from a scheme's name.
 */
export function streamsBody(definition: SchemeDefinition): boolean {
  const { content, signatures } = definition;
  if (typeof content !== "string") return false;
  if (definition.bodySignature || definition.envelope || definition.certificate) return false;
  if (content.split("{body}").length !== 2 || templateUses(content, "crc32") || content.includes("{field:"))
    return false;
  return signatures !== undefined && signatures.length > 0 && signatures.some((s) => isHmacHash(s.algorithm));
}

/** The signed content's chunks as `prefix`, `body` (this very array), `suffix`; undefined if not that shape. */
function aroundBody(
  chunks: readonly Chunk[],
  body: Uint8Array,
): { prefix: string; suffix: string } | undefined {
  const at = chunks.indexOf(body);
  if (at < 0 || at > 1 || chunks.length - at > 2) return undefined;
  const prefix = at === 1 ? chunks[0] : "";
  const suffix = chunks.length - at === 2 ? chunks[at + 1] : "";
  return typeof prefix === "string" && typeof suffix === "string" ? { prefix, suffix } : undefined;
}

/**
 * A scheme's {@link StreamStart}, or undefined when its definition does not qualify
 * ({@link streamsBody}) or its secrets are looked up per request. `check` is the scheme's own
 * request check: run on the head with an empty stand-in body, it refuses exactly what `verify`
 * would refuse before hashing (missing or malformed signature, stale timestamp…); such a request
 * gets no stream and no hashing, and `verify` refuses it after the body as before.
 */
export function createStreamStart(
  definition: SchemeDefinition,
  secrets: readonly DecodedSecret[] | undefined,
  check: (input: VerifyInput, options: VerifyOptions | undefined) => Checked,
): StreamStart | undefined {
  if (!secrets || !streamsBody(definition)) return undefined;
  const keys = secrets.flatMap((secret) => (secret.key.kind === "hmac" ? [secret.key] : []));
  if (keys.length === 0) return undefined;
  return (head, options) => {
    // Web Crypto has no incremental HMAC: the body is hashed whole by `verify`.
    if (!runtime.crypto) return undefined;
    const standIn = new Uint8Array(0);
    let checked: Checked;
    try {
      checked = check({ ...head, rawBody: standIn }, options);
    } catch {
      return undefined;
    }
    if (checked.contents instanceof Promise) return undefined;
    const [chunks, ...others] = checked.contents;
    const around = chunks && others.length === 0 ? aroundBody(chunks, standIn) : undefined;
    if (!around) return undefined;
    const algorithms = new Set<HmacHash>();
    for (const candidate of checked.candidates) {
      const { algorithm } = candidate.spec;
      if (candidate.bytes && isHmacHash(algorithm)) algorithms.add(algorithm);
    }
    if (algorithms.size === 0) return undefined;
    const running: { key: HmacKey; algorithm: HmacHash; hmac: RunningHmac }[] = [];
    for (const key of keys) {
      for (const algorithm of algorithms) {
        if (running.length === MAX_RUNNING) break;
        const hmac = runningHmac(algorithm, key);
        if (!hmac) return undefined;
        if (around.prefix) hmac.update(around.prefix);
        running.push({ key, algorithm, hmac });
      }
    }
    return bodyStream(running, around.prefix, around.suffix);
  };
}

function bodyStream(
  running: readonly { key: HmacKey; algorithm: HmacHash; hmac: RunningHmac }[],
  prefix: string,
  suffix: string,
): BodyStream {
  let fed = 0;
  let done = false;
  return {
    update(chunk) {
      if (done) return;
      fed += chunk.byteLength;
      for (const each of running) each.hmac.update(chunk);
    },
    finish(body) {
      if (done) return undefined;
      done = true;
      if (body.byteLength !== fed) return undefined;
      const digests = running.map(({ key, algorithm, hmac }) => {
        if (suffix) hmac.update(suffix);
        return { key, algorithm, digest: hmac.digest() };
      });
      return { body, prefix, suffix, digests };
    },
  };
}

/**
 * The streamed digest of `chunks` under `key` and `algorithm`: only where `chunks` are exactly
 * what it covers (the same body array, the same prefix and suffix), else undefined.
 */
export function streamedDigest(
  streamed: StreamedDigests | undefined,
  key: HmacKey,
  algorithm: HmacHash,
  chunks: readonly Chunk[],
): Uint8Array | undefined {
  if (!streamed) return undefined;
  const around = aroundBody(chunks, streamed.body);
  if (!around || around.prefix !== streamed.prefix || around.suffix !== streamed.suffix) return undefined;
  for (const each of streamed.digests) {
    if (each.key === key && each.algorithm === algorithm) return each.digest;
  }
  return undefined;
}
