import { WebhookError } from "../errors.js";
import { getFirstHeader } from "../internal/headers.js";
import { requestMethod } from "../internal/method.js";
import type { VerifyInput, VerifyOptions } from "../types.js";
import { toRawBytes } from "./raw-bytes.js";
import { displayHeader } from "./signature-headers.js";
import { checkFreshness, compileHeaderTimestamp, parseTimestamp } from "./timestamps.js";
import { headerNames } from "./value-sources.js";
import type { Checked, VerifierParts } from "./verifier-parts.js";

const CONTENT_TYPE = ["content-type"] as const;

/**
 * The first step of `verify`: signature headers read and capped, the signed timestamp found and
 * judged fresh (a stale request costs no hashing), and the signed content built — no crypto yet.
 */
export function createRequestCheck(
  parts: VerifierParts,
): (input: VerifyInput, options: VerifyOptions | undefined) => Checked {
  const { definition, readSignatures, readBodySignature, content, signatureLabel, signsId } = parts;
  const { name } = definition;
  const tsSpec = definition.timestamp;
  const timestampLabel = `the ${name} timestamp`;
  const readTimestampHeader = tsSpec && "header" in tsSpec ? compileHeaderTimestamp(tsSpec) : undefined;
  const payloadTimestamp = tsSpec && "payload" in tsSpec ? tsSpec : undefined;
  const fieldTimestamp = tsSpec && "field" in tsSpec ? tsSpec.field : undefined;
  const signedIdHeaders = signsId ? headerNames(definition.id) : undefined;
  const { certificate } = definition;
  const certificateHeader = certificate?.header ? [certificate.header] : undefined;

  /** A certificate scheme's certificate URL, canonical — or refused before anything is fetched. */
  function certificateUrl(headers: VerifyInput["headers"], payload: unknown): string | undefined {
    if (!certificate || !parts.certificates) return undefined;
    // In a field of the signed envelope (SNS `SigningCertURL`): refused unless on the provider's paths.
    if (certificate.field !== undefined) {
      const carrier = payload as Record<string, unknown>;
      return parts.certificates.canonical(
        Object.hasOwn(carrier, certificate.field) ? carrier[certificate.field] : undefined,
      );
    }
    const value = getFirstHeader(headers, certificateHeader!);
    if (value === undefined) {
      throw new WebhookError(
        "missing_header",
        `hookgate: no ${displayHeader(certificate.header!)} header: ${name} names the certificate that verifies its signature there`,
      );
    }
    return parts.certificates.canonical(value);
  }

  /** Headers, timestamp and freshness, well-formed signatures, and the signed content: no crypto yet. */
  return function check(input: VerifyInput, options: VerifyOptions | undefined): Checked {
    const body = toRawBytes(input.rawBody);
    const { headers } = input;
    // A signature in the body is read from the body, parsed once (bounded) before any crypto.
    const inBody = readBodySignature?.(body);
    const {
      candidates,
      fieldTimestamp: headerFieldTimestamp,
      seen,
    } = inBody
      ? { candidates: inBody.candidates, fieldTimestamp: undefined, seen: true }
      : readSignatures(headers);
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
      else if (fieldTimestamp !== undefined) timestampRaw = inBody?.fields[fieldTimestamp] ?? "";
      else if (headerFieldTimestamp === undefined) {
        throw new WebhookError(
          "malformed_signature",
          `hookgate: the ${signatureLabel} header has no timestamp field`,
        );
      } else timestampRaw = headerFieldTimestamp;
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
      method: requestMethod(input.method),
      contentType,
      signing: false,
      fields: inBody?.fields,
    });
    const parsed = inBody ? { payload: inBody.payload } : undefined;
    return {
      body,
      candidates,
      timestampMs,
      contentType,
      contents,
      parsed,
      certificateUrl: certificateUrl(headers, inBody?.payload),
    };
  };
}
