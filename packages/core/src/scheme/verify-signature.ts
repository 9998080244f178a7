import { WebhookError } from "../errors.js";
import {
  type Chunk,
  ecdsaVerify,
  ed25519Verify,
  type HmacHash,
  type HmacKey,
  hmac,
  rsaVerify,
  timingSafeEqual,
} from "../internal/crypto.js";
import { runtime } from "../internal/runtime.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { Delivery, VerifyInput, VerifyOptions } from "../types.js";
import { createRequestCheck } from "./check-request.js";
import type { Checked, VerifierParts } from "./verifier-parts.js";

export type { VerifierParts } from "./verifier-parts.js";
export { signatureId } from "./verifier-parts.js";

import type { SignatureAlgorithm } from "./definition.js";
import { syncUnavailable } from "./engine.js";
import type { KeptCheck, Verified } from "./proof.js";
import { createDeliveryReader } from "./read-delivery.js";
import {
  createStreamStart,
  type StreamedDigests,
  type StreamStart,
  streamedDigest,
} from "./stream-verify.js";
import { checkVerifyOptions } from "./timestamps.js";

/** Each token secret's own keyed digest, computed once. */
const tokenDigests = new WeakMap<HmacKey, Uint8Array>();
/** What an unknown tenant's request is hashed with, so it takes as long as a wrong signature. */
const UNKNOWN_TENANT_KEY: HmacKey = { kind: "hmac", bytes: new Uint8Array(32) };

/**
 * The verify half of a scheme: signature headers → freshness → signed content → constant-time
 * comparison against every secret → payload, id and type. Where node:crypto is present, static
 * secrets and the signed content are at hand, every step runs synchronously, with no promise
 * until the one `verify` returns; otherwise (Web Crypto, a secret function, async content) the
 * same steps run with the comparisons awaited. Everything a request does not change (header
 * names, paths, messages) is prepared here, once per scheme.
 */

/** A scheme's verify, and its reverify of kept deliveries (see `Scheme.reverify`). */
export interface Verifier {
  verify: (input: VerifyInput, options?: VerifyOptions) => Promise<Delivery>;
  /** `verify` without a promise, where every key is local and node:crypto present (see `Scheme.verifySync`). */
  verifySync: (input: VerifyInput, options?: VerifyOptions) => Delivery;
  /** How the receiver starts hashing a body as it arrives, where the scheme can (`scheme/stream-verify.ts`). */
  startStream: StreamStart | undefined;
  reverify: (input: VerifyInput, options: VerifyOptions, kept: KeptCheck) => Promise<Delivery>;
  /**
   * For the receiver: the delivery and its proof, at once where `verifySync` applies, else a
   * promise; `streamed`: the digests its body reader finished (`scheme/stream-verify.ts`), used
   * where they fit.
   */
  prove: (
    input: VerifyInput,
    options?: VerifyOptions,
    streamed?: StreamedDigests,
  ) => Verified | Promise<Verified>;
  /** For the receiver: `reverify`, with the proof. */
  reprove: (input: VerifyInput, options: VerifyOptions, kept: KeptCheck) => Promise<Verified>;
}

export function createVerifier(parts: VerifierParts): Verifier {
  const { definition, signatureLabel } = parts;
  const staticSecrets = typeof parts.secrets === "function" ? undefined : parts.secrets;
  const resolveSecrets = typeof parts.secrets === "function" ? parts.secrets : undefined;
  const { name } = definition;
  // The named steps, each compiled once per scheme: read and check the request (no crypto), then
  // — once a signature matched — read the delivery from the signed bytes.
  const check = createRequestCheck(parts);
  const deliver = createDeliveryReader(parts);

  function mismatch(input: VerifyInput): WebhookError {
    const hints = [
      typeof input.rawBody === "string"
        ? "The body was given as a string: if it was re-serialized from parsed JSON its bytes differ from what was signed; pass the raw bytes."
        : undefined,
      definition.mismatchHint?.(parts.rawSecrets),
    ].filter(Boolean);
    return new WebhookError(
      "signature_mismatch",
      `hookgate: no configured ${name} secret produces the ${signatureLabel} signature (wrong secret, or the body was altered)${hints.length ? `. ${hints.join(" ")}` : ""}`,
    );
  }

  /** The node:crypto path: every comparison answers at once. */
  function verifyNow(
    input: VerifyInput,
    options: VerifyOptions | undefined,
    checked: Checked,
    streamed?: StreamedDigests,
  ): Verified {
    const contents = checked.contents as Chunk[][];
    const { candidates } = checked;
    for (const secret of staticSecrets!) {
      const { key } = secret;
      for (const chunks of contents) {
        let digest: Uint8Array | undefined;
        let digestAlgorithm: HmacHash | undefined;
        for (const candidate of candidates) {
          const bytes = candidate.bytes;
          if (!bytes) continue;
          const { algorithm } = candidate.spec;
          let ok: boolean;
          if (key.kind === "hmac" && isHmacHash(algorithm)) {
            // One digest per content and hash, compared against every candidate of that hash.
            if (digestAlgorithm !== algorithm) {
              digest =
                streamedDigest(streamed, key, algorithm, chunks) ??
                (hmac(algorithm, key, chunks) as Uint8Array);
              digestAlgorithm = algorithm;
            }
            ok = timingSafeEqual(digest!, bytes);
          } else ok = compareOther(key, algorithm, chunks, bytes) as boolean;
          if (ok) return deliver(input, options, checked, secret, candidate, staticSecrets!);
        }
      }
    }
    throw mismatch(input);
  }

  /** The same comparisons, awaited: Web Crypto, a secret function, or signed content that is async. */
  async function verifyLater(
    input: VerifyInput,
    options: VerifyOptions | undefined,
    checked: Checked,
    kept?: KeptCheck,
  ): Promise<Verified> {
    const contents = await checked.contents;
    // Per-request secrets are looked up only once the request is well-formed and fresh.
    const secrets = staticSecrets ?? (await resolveSecrets!(input, checked));
    const { certificates } = parts;
    // A certificate's key is the provider's own, global: no tenant identity comes from it.
    const identitySecrets = certificates ? [] : secrets;
    const { candidates } = checked;
    for (const secret of secrets) {
      const { key } = secret;
      for (const chunks of contents) {
        let digest: Uint8Array | undefined;
        let digestAlgorithm: HmacHash | undefined;
        for (const candidate of candidates) {
          const bytes = candidate.bytes;
          if (!bytes) continue;
          const { algorithm } = candidate.spec;
          let ok: boolean;
          if (key.kind === "hmac" && isHmacHash(algorithm)) {
            if (digestAlgorithm !== algorithm) {
              digest = await hmac(algorithm, key, chunks);
              digestAlgorithm = algorithm;
            }
            ok = timingSafeEqual(digest!, bytes);
          } else if (kept && algorithm === "token") {
            // The receiver never keeps a token: its seal, made with the token's key, stands in for it.
            ok = key.kind === "hmac" && (await kept(key));
            if (ok) return deliver(input, options, checked, secret, candidate, secrets);
            continue;
          } else ok = await compareOther(key, algorithm, chunks, bytes);
          if (ok && kept && !(await kept(key))) ok = false;
          if (ok && certificates && key.kind === "rsa") certificates.prove(checked.certificateUrl!, key);
          if (ok) return deliver(input, options, checked, secret, candidate, identitySecrets);
        }
      }
    }
    // An unknown tenant (no secret to try) costs what a wrong signature does: the body is hashed
    // all the same, so timing does not tell which tenants exist.
    if (secrets.length === 0) for (const chunks of contents) await hmac("sha256", UNKNOWN_TENANT_KEY, chunks);
    throw mismatch(input);
  }

  /** Why `verifySync` cannot apply to this scheme now, or undefined when it can. */
  function whyNotSync(): string | undefined {
    if (parts.certificates) return "its key is a certificate the request names, fetched on first use";
    if (!staticSecrets) return "its secrets come from a function, looked up per request";
    if (!runtime.crypto) return "this runtime has no node:crypto, and Web Crypto answers only asynchronously";
    return undefined;
  }

  /** The checks, then the comparisons at once where they can answer at once, else awaited. */
  function verifyNowOrLater(
    input: VerifyInput,
    options: VerifyOptions | undefined,
    streamed?: StreamedDigests,
  ): Verified | Promise<Verified> {
    checkVerifyOptions(options, "scheme.verify");
    const checked = check(input, options);
    if (staticSecrets && runtime.crypto && !(checked.contents instanceof Promise)) {
      return verifyNow(input, options, checked, streamed);
    }
    return verifyLater(input, options, checked);
  }

  return {
    verify: (input, options) => {
      try {
        const verified = verifyNowOrLater(input, options);
        return verified instanceof Promise ? verified.then(deliveryOf) : Promise.resolve(verified.delivery);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    verifySync: (input, options) => {
      const why = whyNotSync();
      if (why) throw syncUnavailable(name, why);
      checkVerifyOptions(options, "scheme.verifySync");
      const checked = check(input, options);
      if (checked.contents instanceof Promise) {
        // Not awaited, so its refusal must not go unhandled.
        checked.contents.catch(() => undefined);
        throw syncUnavailable(name, "its signed content is computed asynchronously");
      }
      return verifyNow(input, options, checked).delivery;
    },
    reverify: async (input, options, kept) =>
      (await verifyLater(input, options, check(input, options), kept)).delivery,
    prove: verifyNowOrLater,
    reprove: async (input, options, kept) => verifyLater(input, options, check(input, options), kept),
    startStream: createStreamStart(definition, staticSecrets, check),
  };
}

const deliveryOf = (verified: Verified): Delivery => verified.delivery;

function isHmacHash(algorithm: SignatureAlgorithm): algorithm is HmacHash {
  return algorithm === "sha256" || algorithm === "sha1" || algorithm === "sha512";
}

/**
 * A signature that is not a plain HMAC digest: Ed25519, ECDSA, or a token (the secret itself,
 * compared as keyed digests so the time taken says nothing about its length or contents).
 * False when the key is of another kind. Synchronous where node:crypto is present.
 */
function compareOther(
  key: DecodedSecret["key"],
  algorithm: SignatureAlgorithm,
  chunks: readonly Chunk[],
  signature: Uint8Array,
): boolean | Promise<boolean> {
  if (algorithm === "ed25519") return key.kind === "ed25519" && ed25519Verify(key, chunks, signature);
  if (algorithm === "ecdsa-p256-sha256") return key.kind === "ecdsa" && ecdsaVerify(key, chunks, signature);
  if (algorithm === "rsa-sha1" || algorithm === "rsa-sha256")
    return (
      key.kind === "rsa" && rsaVerify(algorithm === "rsa-sha1" ? "sha1" : "sha256", key, chunks, signature)
    );
  if (algorithm !== "token" || key.kind !== "hmac") return false;
  const known = tokenDigests.get(key);
  const expected = known ?? hmac("sha256", key, [key.bytes]);
  const actual = hmac("sha256", key, [signature]);
  if (expected instanceof Promise || actual instanceof Promise) {
    return Promise.all([expected, actual]).then(([e, a]) => {
      tokenDigests.set(key, e);
      return timingSafeEqual(e, a);
    });
  }
  if (!known) tokenDigests.set(key, expected);
  return timingSafeEqual(expected, actual);
}
