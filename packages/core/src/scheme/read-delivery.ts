import { WebhookError } from "../errors.js";
import { decodeUtf8 } from "../internal/bytes.js";
import { ecdsaCanonicalSignature } from "../internal/crypto.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { MatchedSecret, VerifyInput, VerifyOptions } from "../types.js";
import type { Verified } from "./proof.js";
import { type Candidate, displayHeader } from "./signature-headers.js";
import { checkFreshness, parseTimestamp } from "./timestamps.js";
import { compileSource, getPath, headerNames } from "./value-sources.js";
import { type Checked, signatureId, type VerifierParts } from "./verifier-parts.js";

/** Longest delivery id accepted: every sender's ids are far shorter; a huge one only bloats keys and logs. */
const MAX_ID_LENGTH = 256;

/**
 * The last step of `verify`, once a signature matched: the payload parsed from the signed bytes,
 * a payload timestamp judged fresh, and the id and type read where the scheme says.
 */
export function createDeliveryReader(parts: VerifierParts) {
  const { definition, parse } = parts;
  const { name } = definition;
  const tsSpec = definition.timestamp;
  const payloadTimestamp = tsSpec && "payload" in tsSpec ? tsSpec : undefined;
  const idHeaders = headerNames(definition.id);
  const readId = compileSource(definition.id);
  const readType = compileSource(definition.type);
  const typeHeaderOnly =
    definition.type &&
    typeof definition.type !== "function" &&
    definition.type.header &&
    !definition.type.payload
      ? definition.type.header
      : undefined;

  /**
   * Payload, payload timestamp, id and type of a request whose signature matched, and the proof of
   * what matched (signature, key, secret set) beside it: the delivery itself is plain data.
   */
  return function deliver(
    input: VerifyInput,
    options: VerifyOptions | undefined,
    checked: Checked,
    secret: DecodedSecret,
    candidate: Candidate,
    secrets: readonly DecodedSecret[],
  ): Verified {
    const { body, contentType } = checked;
    let { timestampMs } = checked;
    let payload: unknown;
    if (checked.parsed) payload = checked.parsed.payload;
    else {
      const text = decodeUtf8(body);
      if (text === undefined)
        throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
      payload = parse(text, contentType);
    }
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
    // The same own properties, in the same order, on every delivery.
    const delivery: Verified["delivery"] = {
      id,
      type: type ?? "",
      payload,
      rawBody: body,
      scheme: name,
      matchedSecret,
    };
    if (timestampMs !== undefined) delivery.timestamp = new Date(timestampMs);
    // A token is the secret itself: never kept as a signature, where journals and logs could read it.
    return { delivery, proof: { signature: token ? undefined : signature, key: secret.key, secrets } };
  };
}
