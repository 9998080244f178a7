import { WebhookError } from "../errors.js";
import { decodeUtf8 } from "../internal/bytes.js";
import {
  type Chunk,
  type CryptoKeyMaterial,
  ecdsaCanonicalSignature,
  ecdsaVerify,
  ed25519Verify,
  type HmacHash,
  type HmacKey,
  hmac,
  timingSafeEqual,
} from "../internal/crypto.js";
import { getFirstHeader } from "../internal/headers.js";
import { runtime } from "../internal/runtime.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { Delivery, HeadersInput, MatchedSecret, VerifyInput, VerifyOptions } from "../types.js";
import type { ContentContext, SchemeDefinition, SignatureAlgorithm } from "./definition.js";
import { toRawBytes } from "./raw-bytes.js";
import { type Candidate, type CandidateRead, displayHeader } from "./signature-headers.js";
import { checkFreshness, checkVerifyOptions, compileHeaderTimestamp, parseTimestamp } from "./timestamps.js";
import { compileSource, getPath, headerNames } from "./value-sources.js";
import { VerifiedDelivery } from "./verified-signature.js";

/** What {@link createVerifier} needs, compiled once by `defineScheme`. */
export interface VerifierParts {
  definition: SchemeDefinition;
  /** The decoded secrets, or, for per-request secrets, a function of the unverified request giving them. */
  secrets:
    | readonly DecodedSecret[]
    | ((input: VerifyInput) => readonly DecodedSecret[] | Promise<readonly DecodedSecret[]>);
  rawSecrets: readonly string[];
  readSignatures: (headers: HeadersInput) => CandidateRead;
  content: (context: ContentContext) => Promise<Chunk[][]> | Chunk[][];
  parse: (text: string, contentType: string | undefined) => unknown;
  /** `X-Hub-Signature-256`, or `Webhook-Signature / Svix-Signature`, for messages. */
  signatureLabel: string;
  /** Whether the signed content includes the delivery id header. */
  signsId: boolean;
}

const CONTENT_TYPE = ["content-type"] as const;
/** Each token secret's own keyed digest, computed once. */
const tokenDigests = new WeakMap<HmacKey, Uint8Array>();
/** What an unknown tenant's request is hashed with, so it takes as long as a wrong signature. */
const UNKNOWN_TENANT_KEY: HmacKey = { kind: "hmac", bytes: new Uint8Array(32) };
/** Longest delivery id accepted: every sender's ids are far shorter; a huge one only bloats keys and logs. */
const MAX_ID_LENGTH = 256;

/** What one request's checks found before any crypto: read once, then handed to each step. */
interface Checked {
  body: Uint8Array;
  candidates: Candidate[];
  timestampMs: number | undefined;
  contentType: string | undefined;
  contents: Chunk[][] | Promise<Chunk[][]>;
}

/**
 * The verify half of a scheme: signature headers → freshness → signed content → constant-time
 * comparison against every secret → payload, id and type. Where node:crypto is present, static
 * secrets and the signed content are at hand, every step runs synchronously, with no promise
 * until the one `verify` returns; otherwise (Web Crypto, a secret function, async content) the
 * same steps run with the comparisons awaited. Everything a request does not change (header
 * names, paths, messages) is prepared here, once per scheme.
 */
/**
 * The receiver's check of a delivery it kept (journal row, queued job): given the key that
 * verifies, whether the receiver's seal over what it kept holds.
 */
export type KeptCheck = (key: CryptoKeyMaterial) => boolean | Promise<boolean>;

/** A scheme's verify, and its reverify of kept deliveries (see `Scheme.reverify`). */
export interface Verifier {
  verify: (input: VerifyInput, options?: VerifyOptions) => Promise<Delivery>;
  reverify: (input: VerifyInput, options: VerifyOptions, kept: KeptCheck) => Promise<Delivery>;
}

export function createVerifier(parts: VerifierParts): Verifier {
  const { definition, readSignatures, content, parse, signatureLabel, signsId } = parts;
  const staticSecrets = typeof parts.secrets === "function" ? undefined : parts.secrets;
  const resolveSecrets = typeof parts.secrets === "function" ? parts.secrets : undefined;
  const { name } = definition;
  const tsSpec = definition.timestamp;
  const timestampLabel = `the ${name} timestamp`;
  const readTimestampHeader = tsSpec && "header" in tsSpec ? compileHeaderTimestamp(tsSpec) : undefined;
  const payloadTimestamp = tsSpec && "payload" in tsSpec ? tsSpec : undefined;
  const idHeaders = headerNames(definition.id);
  const signedIdHeaders = signsId ? idHeaders : undefined;
  const readId = compileSource(definition.id);
  const readType = compileSource(definition.type);
  const typeHeaderOnly =
    definition.type &&
    typeof definition.type !== "function" &&
    definition.type.header &&
    !definition.type.payload
      ? definition.type.header
      : undefined;

  /** Headers, timestamp and freshness, well-formed signatures, and the signed content: no crypto yet. */
  function check(input: VerifyInput, options: VerifyOptions | undefined): Checked {
    const body = toRawBytes(input.rawBody);
    const { headers } = input;
    const { candidates, fieldTimestamp, seen } = readSignatures(headers);
    if (!seen) {
      const hint = definition.missingHint?.(headers);
      throw new WebhookError(
        "missing_signature",
        `hookgate: no ${signatureLabel} header; this request was not signed by ${name} (or a proxy dropped the header)${hint ? `. ${hint}` : ""}`,
      );
    }

    let timestampRaw: string | undefined;
    let timestampMs: number | undefined;
    if (tsSpec && !payloadTimestamp) {
      if (readTimestampHeader) timestampRaw = readTimestampHeader(headers);
      else if (fieldTimestamp === undefined) {
        throw new WebhookError(
          "malformed_signature",
          `hookgate: the ${signatureLabel} header has no timestamp field`,
        );
      } else timestampRaw = fieldTimestamp;
      timestampMs = parseTimestamp(timestampRaw, tsSpec.unit, timestampLabel);
      // Cheap check first: a stale request costs no hashing.
      checkFreshness(timestampMs, options);
    }

    let usable = false;
    for (const candidate of candidates) if (candidate.bytes) usable = true;
    if (!usable) {
      throw new WebhookError(
        "malformed_signature",
        candidates.length === 0
          ? `hookgate: the ${signatureLabel} header has no signature in the format ${name} uses`
          : `hookgate: the ${signatureLabel} signature is not ${candidates[0]!.spec.encoding} of the right length for ${candidates[0]!.spec.algorithm}`,
      );
    }

    const contentType = getFirstHeader(headers, CONTENT_TYPE);
    const contents = content({
      id: signedIdHeaders ? getFirstHeader(headers, signedIdHeaders) : undefined,
      timestamp: timestampRaw,
      body,
      url: input.url,
      // Method names are matched as servers match them (Node upper-cases them too).
      method: (input.method ?? "POST").toUpperCase(),
      contentType,
      signing: false,
    });
    return { body, candidates, timestampMs, contentType, contents };
  }

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

  /** Payload, payload timestamp, id and type of a request whose signature matched. */
  function deliver(
    input: VerifyInput,
    options: VerifyOptions | undefined,
    checked: Checked,
    secret: DecodedSecret,
    candidate: Candidate,
    secrets: readonly DecodedSecret[],
  ): Delivery {
    const { body, contentType } = checked;
    let { timestampMs } = checked;
    const text = decodeUtf8(body);
    if (text === undefined)
      throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
    const payload = parse(text, contentType);
    if (payloadTimestamp) {
      const value = getPath(payload, payloadTimestamp.payload);
      if (value === undefined || value === null || typeof value === "object") {
        throw new WebhookError(
          "missing_header",
          `hookgate: the ${name} payload has no ${payloadTimestamp.payload} timestamp`,
        );
      }
      timestampMs = parseTimestamp(
        String(value),
        payloadTimestamp.unit,
        `the ${name} payload's ${payloadTimestamp.payload}`,
      );
      checkFreshness(timestampMs, options);
    }

    const { headers } = input;
    // The matched signature, canonical (its bytes, not its text): what identifies a delivery whose
    // id header is unsigned. An ECDSA signature has other encodings that verify too ((r, n − s),
    // padded DER): each maps to one form, so none makes a captured delivery look new.
    const { algorithm } = candidate.spec;
    const signature =
      algorithm === "ecdsa-p256-sha256"
        ? (ecdsaCanonicalSignature(candidate.bytes!) ?? candidate.bytes!)
        : candidate.bytes!;
    const token = algorithm === "token";
    const headerId = readId(headers, payload);
    if (headerId === undefined && token) {
      // A token is the secret itself, the same on every delivery: it cannot stand in for an id.
      throw new WebhookError(
        "missing_header",
        `hookgate: the ${name} delivery has no id${idHeaders ? ` (${idHeaders.map(displayHeader).join(" / ")})` : ""}`,
      );
    }
    const id = headerId ?? signatureId(signature);
    if (id.length > MAX_ID_LENGTH) {
      throw new WebhookError(
        "invalid_payload",
        `hookgate: the ${name} delivery id is ${id.length} characters long; ids are at most ${MAX_ID_LENGTH}`,
      );
    }
    const type = readType(headers, payload);
    if (type === undefined && typeHeaderOnly) {
      throw new WebhookError(
        "missing_header",
        `hookgate: the ${name} delivery has no event type: the ${displayHeader(typeHeaderOnly)} header is missing`,
      );
    }
    const matchedSecret: MatchedSecret =
      secret.id === undefined ? { index: secret.index } : { index: secret.index, id: secret.id };
    // A token is the secret itself: never attach it where journals and logs could read it.
    return new VerifiedDelivery(
      id,
      type ?? "",
      payload,
      body,
      name,
      matchedSecret,
      timestampMs,
      token ? undefined : signature,
      secret.key,
      secrets,
    );
  }

  /** The node:crypto path: every comparison answers at once. */
  function verifyNow(input: VerifyInput, options: VerifyOptions | undefined, checked: Checked): Delivery {
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
              digest = hmac(algorithm, key, chunks) as Uint8Array;
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
  ): Promise<Delivery> {
    const contents = await checked.contents;
    // Per-request secrets are looked up only once the request is well-formed and fresh.
    const secrets = staticSecrets ?? (await resolveSecrets!(input));
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
          if (ok) return deliver(input, options, checked, secret, candidate, secrets);
        }
      }
    }
    // An unknown tenant (no secret to try) costs what a wrong signature does: the body is hashed
    // all the same, so timing does not tell which tenants exist.
    if (secrets.length === 0) for (const chunks of contents) await hmac("sha256", UNKNOWN_TENANT_KEY, chunks);
    throw mismatch(input);
  }

  return {
    verify: (input, options) => {
      try {
        checkVerifyOptions(options, "scheme.verify");
        const checked = check(input, options);
        if (staticSecrets && runtime.crypto && !(checked.contents instanceof Promise)) {
          return Promise.resolve(verifyNow(input, options, checked));
        }
        return verifyLater(input, options, checked);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    reverify: async (input, options, kept) => verifyLater(input, options, check(input, options), kept),
  };
}

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

const HEX_DIGITS = "0123456789abcdef";

/** A signature's bytes as lower-case hex: the id of a delivery whose scheme has no other. */
export function signatureId(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX_DIGITS[byte >> 4]! + HEX_DIGITS[byte & 15]!;
  return out;
}
