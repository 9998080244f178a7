import { WebhookError } from "../errors.js";
import { decodeUtf8 } from "../internal/bytes.js";
import {
  type Chunk,
  ecdsaVerify,
  ed25519Verify,
  type HmacKey,
  hmac,
  timingSafeEqual,
} from "../internal/crypto.js";
import { getFirstHeader } from "../internal/headers.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { Delivery, HeadersInput, MatchedSecret, VerifyInput, VerifyOptions } from "../types.js";
import type { ContentContext, SchemeDefinition, SignatureAlgorithm, SourceContext } from "./definition.js";
import { toRawBytes } from "./raw-bytes.js";
import { type Candidate, type CandidateRead, displayHeader } from "./signature-headers.js";
import { checkFreshness, parseTimestamp, readHeaderTimestamp } from "./timestamps.js";
import { getPath, headerNames, readSource } from "./value-sources.js";
import { attachVerifiedSignature } from "./verified-signature.js";

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
/** Longest delivery id accepted: every sender's ids are far shorter; a huge one only bloats keys and logs. */
const MAX_ID_LENGTH = 256;

/** Runs a step generator, feeding results back at once until one is a promise; then awaits. */
function drive<T>(steps: Generator<unknown, T, unknown>): T | Promise<T> {
  let step = steps.next();
  while (!step.done) {
    if (step.value instanceof Promise) return driveAsync(steps, step.value);
    step = steps.next(step.value);
  }
  return step.value;
}

async function driveAsync<T>(steps: Generator<unknown, T, unknown>, pending: Promise<unknown>): Promise<T> {
  let step = steps.next(await pending);
  while (!step.done) step = steps.next(await step.value);
  return step.value;
}

/**
 * The verify half of a scheme: signature headers → freshness → signed content → constant-time
 * comparison against every secret → payload, id and type. Written as one generator whose every
 * crypto result and async content is yielded, so {@link drive} runs it synchronously where
 * node:crypto answers at once and awaits only on Web Crypto: one code path, no promise per step.
 */
export function createVerifier(
  parts: VerifierParts,
): (input: VerifyInput, options?: VerifyOptions) => Promise<Delivery> {
  const { definition, readSignatures, content, parse, signatureLabel, signsId } = parts;
  const staticSecrets = typeof parts.secrets === "function" ? undefined : parts.secrets;
  const resolveSecrets = typeof parts.secrets === "function" ? parts.secrets : undefined;
  const { name } = definition;
  const tsSpec = definition.timestamp;
  const timestampLabel = `the ${name} timestamp`;
  const idHeaders = headerNames(definition.id);
  const typeHeaderOnly =
    definition.type &&
    typeof definition.type !== "function" &&
    definition.type.header &&
    !definition.type.payload
      ? definition.type.header
      : undefined;

  function* steps(
    input: VerifyInput,
    options: VerifyOptions | undefined,
  ): Generator<unknown, Delivery, unknown> {
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
    if (tsSpec && !("payload" in tsSpec)) {
      if ("header" in tsSpec) timestampRaw = readHeaderTimestamp(headers, tsSpec);
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

    let usable = 0;
    for (const candidate of candidates) if (candidate.bytes) usable++;
    if (usable === 0) {
      throw new WebhookError(
        "malformed_signature",
        candidates.length === 0
          ? `hookgate: the ${signatureLabel} header has no signature in the format ${name} uses`
          : `hookgate: the ${signatureLabel} signature is not ${candidates[0]!.spec.encoding} of the right length for ${candidates[0]!.spec.algorithm}`,
      );
    }

    const contentType = getFirstHeader(headers, CONTENT_TYPE);
    const contents = (yield content({
      id: signsId && idHeaders ? getFirstHeader(headers, idHeaders) : undefined,
      timestamp: timestampRaw,
      body,
      url: input.url,
      // Method names are matched as servers match them (Node upper-cases them too).
      method: (input.method ?? "POST").toUpperCase(),
      contentType,
      signing: false,
    })) as Chunk[][];

    // Per-request secrets are looked up only once the request is well-formed and fresh.
    const secrets = staticSecrets ?? ((yield resolveSecrets!(input)) as readonly DecodedSecret[]);
    let matched: { secret: DecodedSecret; candidate: Candidate } | undefined;
    search: for (const secret of secrets) {
      const { key } = secret;
      for (const chunks of contents) {
        let digest: Uint8Array | undefined;
        let digestAlgorithm: SignatureAlgorithm | undefined;
        for (const candidate of candidates) {
          if (!candidate.bytes) continue;
          const { algorithm } = candidate.spec;
          let ok = false;
          if (algorithm === "ed25519") {
            if (key.kind === "ed25519") ok = (yield ed25519Verify(key, chunks, candidate.bytes)) as boolean;
          } else if (algorithm === "ecdsa-p256-sha256") {
            if (key.kind === "ecdsa") ok = (yield ecdsaVerify(key, chunks, candidate.bytes)) as boolean;
          } else if (algorithm === "token") {
            // The header is the secret itself: compare keyed digests, so the time taken says
            // nothing about the secret's length or contents.
            if (key.kind === "hmac") {
              const expected = (tokenDigests.get(key) ??
                (yield hmac("sha256", key, [key.bytes]))) as Uint8Array;
              tokenDigests.set(key, expected);
              ok = timingSafeEqual(expected, (yield hmac("sha256", key, [candidate.bytes])) as Uint8Array);
            }
          } else if (key.kind === "hmac") {
            if (digestAlgorithm !== algorithm) {
              digest = (yield hmac(algorithm, key, chunks)) as Uint8Array;
              digestAlgorithm = algorithm;
            }
            ok = timingSafeEqual(digest!, candidate.bytes);
          }
          if (ok) {
            matched = { secret, candidate };
            break search;
          }
        }
      }
    }
    if (!matched) {
      const hints = [
        typeof input.rawBody === "string"
          ? "The body was given as a string: if it was re-serialized from parsed JSON its bytes differ from what was signed; pass the raw bytes."
          : undefined,
        definition.mismatchHint?.(parts.rawSecrets),
      ].filter(Boolean);
      throw new WebhookError(
        "signature_mismatch",
        `hookgate: no configured ${name} secret produces the ${signatureLabel} signature (wrong secret, or the body was altered)${hints.length ? `. ${hints.join(" ")}` : ""}`,
      );
    }

    const text = decodeUtf8(body);
    if (text === undefined)
      throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
    const payload = parse(text, contentType);
    if (tsSpec && "payload" in tsSpec) {
      const value = getPath(payload, tsSpec.payload);
      if (value === undefined || value === null || typeof value === "object") {
        throw new WebhookError(
          "missing_header",
          `hookgate: the ${name} payload has no ${tsSpec.payload} timestamp`,
        );
      }
      timestampMs = parseTimestamp(String(value), tsSpec.unit, `the ${name} payload's ${tsSpec.payload}`);
      checkFreshness(timestampMs, options);
    }

    const sourceContext: SourceContext = { headers, payload };
    // The matched signature, canonical (its bytes, not its text): what identifies a delivery whose
    // id header is unsigned.
    const signature = matched.candidate.bytes!;
    const token = matched.candidate.spec.algorithm === "token";
    const headerId = readSource(definition.id, sourceContext);
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
    const type = readSource(definition.type, sourceContext);
    if (type === undefined && typeHeaderOnly) {
      throw new WebhookError(
        "missing_header",
        `hookgate: the ${name} delivery has no event type: the ${displayHeader(typeHeaderOnly)} header is missing`,
      );
    }
    const { secret } = matched;
    const matchedSecret: MatchedSecret =
      secret.id === undefined ? { index: secret.index } : { index: secret.index, id: secret.id };
    const delivery: Delivery = {
      id,
      type: type ?? "",
      payload,
      rawBody: body,
      scheme: name,
      matchedSecret,
    };
    if (timestampMs !== undefined) delivery.timestamp = new Date(timestampMs);
    // A token is the secret itself: never attach it where journals and logs could read it.
    attachVerifiedSignature(delivery, token ? undefined : signature, secret.key);
    return delivery;
  }

  return (input, options) => {
    try {
      const result = drive(steps(input, options));
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

const HEX_DIGITS = "0123456789abcdef";

/** A signature's bytes as lower-case hex: the id of a delivery whose scheme has no other. */
export function signatureId(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX_DIGITS[byte >> 4]! + HEX_DIGITS[byte & 15]!;
  return out;
}
