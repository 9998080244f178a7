import { WebhookError } from "../errors.js";
import { decodeUtf8, fromBase64 } from "../internal/bytes.js";
import type { Chunk } from "../internal/crypto.js";
import type { BodySignatureRead } from "./body-signature.js";
import { allowedHostUrl, type CertificateSourceSpec } from "./certificate-source.js";
import type { ContentContext, SignedEnvelopeSpec } from "./definition.js";
import { parseJson } from "./payload.js";

// Every signed field but the message is one line: the signed string separates fields with "\n".
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Longest RSA signature accepted (a 8192-bit key's). */
const MAX_SIGNATURE_BYTES = 1024;

/**
 * The signed fields of one envelope, in signing order, read from `source` (a parsed body, or the
 * fields `signRequest` composed): a missing required field, or a line break in any field but the
 * message, is refused. A line break would let one field's value pose as the next field
 * (`MessageId\n<id>\nSubject\n<s>` is one MessageId, or an id and a Subject), so a captured
 * message could be re-sent under another id.
 */
export function envelopeFields(
  spec: SignedEnvelopeSpec,
  type: string,
  source: Readonly<Record<string, unknown>>,
  name: string,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const entry of spec.signed[type]!) {
    const optional = entry.endsWith("?");
    const field = optional ? entry.slice(0, -1) : entry;
    const value = Object.hasOwn(source, field) ? source[field] : undefined;
    if (value === undefined && optional) continue;
    if (typeof value !== "string")
      throw new WebhookError("invalid_payload", `hookgate: the ${name} message has no ${field}`);
    if (field !== spec.message && CONTROL.test(value)) {
      throw new WebhookError(
        "invalid_payload",
        `hookgate: the ${name} ${field} contains a line break or control character, which ${name} never sends; refused`,
      );
    }
    fields[field] = value;
  }
  return fields;
}

/** The signed string: each signed field's name and value on their own lines, in order. */
export function envelopeContent(context: ContentContext): Chunk[][] {
  let out = "";
  for (const [field, value] of Object.entries(context.fields ?? {})) out += `${field}\n${value}\n`;
  return [[out]];
}

/** A URL field the receiver may visit, or a refusal: https on a certificate host only. */
export function checkEnvelopeUrl(certificate: CertificateSourceSpec, field: string, value: unknown): string {
  const url = allowedHostUrl(value, certificate.host);
  if (url === undefined) {
    throw new WebhookError(
      "signature_mismatch",
      `hookgate: the ${certificate.provider} ${field} ${JSON.stringify(value)} is not an https URL on a ${certificate.provider} host; refused unfetched`,
    );
  }
  return url;
}

/**
 * Reads a signed envelope ({@link SignedEnvelopeSpec}), compiled once per scheme: the body parsed
 * (bounded), the signature and its algorithm, the message type, the allow-listed field, the
 * signed fields and the URL fields checked — everything before a certificate is fetched.
 */
export function compileEnvelopeReader(
  spec: SignedEnvelopeSpec,
  name: string,
  certificate: CertificateSourceSpec,
): (body: Uint8Array) => BodySignatureRead {
  const allowed = spec.allow && new Set(spec.allow.values);
  const mismatch = (message: string) => new WebhookError("signature_mismatch", `hookgate: ${message}`);
  return (body) => {
    const text = decodeUtf8(body);
    if (text === undefined)
      throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
    const envelope = parseJson(text) as Record<string, unknown> | null;
    const signature =
      envelope !== null && typeof envelope === "object" ? envelope[spec.signature] : undefined;
    if (typeof signature !== "string" || !Object.hasOwn(envelope!, spec.signature)) {
      throw new WebhookError(
        "missing_signature",
        `hookgate: the body is not a signed ${name} message (no ${spec.signature})`,
      );
    }
    const message = envelope!;
    const algorithmValue = message[spec.algorithm.field];
    const algorithm =
      typeof algorithmValue === "string" && Object.hasOwn(spec.algorithm.values, algorithmValue)
        ? spec.algorithm.values[algorithmValue]
        : undefined;
    const bytes = fromBase64(signature);
    const type = message[spec.type];
    if (
      !algorithm ||
      !bytes ||
      bytes.length === 0 ||
      bytes.length > MAX_SIGNATURE_BYTES ||
      typeof type !== "string" ||
      !Object.hasOwn(spec.signed, type)
    ) {
      throw new WebhookError(
        "malformed_signature",
        `hookgate: the ${name} message has an unknown ${spec.type}, ${spec.algorithm.field} or ${spec.signature} encoding`,
      );
    }
    if (spec.allow && !allowed!.has(message[spec.allow.field] as string)) {
      throw mismatch(
        `the ${name} ${spec.allow.field} ${JSON.stringify(message[spec.allow.field])} is not one of the configured ${spec.allow.option}`,
      );
    }
    const fields = envelopeFields(spec, type, message, name);
    for (const field of spec.urls ?? []) {
      if (Object.hasOwn(fields, field)) checkEnvelopeUrl(certificate, field, fields[field]);
    }
    return { payload: message, candidates: [{ spec: { algorithm, encoding: "base64" }, bytes }], fields };
  };
}
