import { WebhookError } from "../errors.js";
import { decodeUtf8, toBase64, utf8 } from "../internal/bytes.js";
import { rsaSign } from "../internal/crypto.js";
import type { SignedRequest, SignInput } from "../types.js";
import { canonicalCertificateUrl } from "./certificate-source.js";
import type { SignedEnvelopeSpec } from "./definition.js";
import { toRawBytes } from "./raw-bytes.js";
import { type SignerParts, signingKeyFor } from "./sign-request.js";
import { envelopeContent, envelopeFields } from "./signed-envelope.js";

/**
 * `signRequest` for a signed envelope ({@link SignedEnvelopeSpec}): the body given becomes the
 * envelope's message, the definition's `compose` lays the envelope out as the provider posts it,
 * and its signed fields are signed with the configured RSA key — the signature, the algorithm's
 * value and the certificate URL written into the envelope after them.
 */
export function createEnvelopeSigner(
  parts: SignerParts,
  spec: SignedEnvelopeSpec,
): (input: SignInput) => Promise<SignedRequest> {
  const { definition } = parts;
  const { name } = definition;
  const certificate = definition.certificate!;
  const types = Object.keys(spec.signed);

  return async (input) => {
    const { signing, compose } = spec;
    if (!signing || !compose) {
      throw new WebhookError(
        "invalid_option",
        `hookgate: ${name} signs test messages with its certificate's private key: configure the scheme's \`signingKey\` (an RSA private key, PEM, and the certificate URL your fetchCertificate serves its certificate at)`,
      );
    }
    let certificateUrl: string;
    try {
      certificateUrl = canonicalCertificateUrl(certificate, signing.certificateUrl);
    } catch {
      throw new WebhookError(
        "invalid_option",
        `hookgate: the ${name} signing certificateUrl ${JSON.stringify(signing.certificateUrl)} must be ${certificate.form} (no port, query or fragment), or the receiver refuses it unfetched`,
      );
    }
    const type = input.type ?? types[0]!;
    if (!types.includes(type)) {
      throw new WebhookError(
        "invalid_option",
        `hookgate: a ${name} message's type is ${types.join(", ")}, not ${JSON.stringify(type)}`,
      );
    }
    const rawBody = toRawBytes(input.rawBody);
    const text = decodeUtf8(rawBody);
    if (text === undefined)
      throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
    const key = await signingKeyFor(parts, name, input, rawBody);
    const algorithm = spec.algorithm.values[signing.algorithm];
    if (key.kind !== "rsa-private" || !algorithm) {
      throw new WebhookError(
        "invalid_secret",
        `hookgate: the ${name} scheme signs with an RSA private key and a known ${spec.algorithm.field}`,
      );
    }
    const draft = compose({
      type,
      id: input.id ?? globalThis.crypto.randomUUID(),
      timestamp: input.timestamp ?? new Date(),
      message: text,
      certificateUrl,
    });
    const fields = envelopeFields(spec, type, draft.fields, name);
    const [chunks] = envelopeContent({
      fields,
      id: undefined,
      timestamp: undefined,
      body: rawBody,
      url: input.url,
      method: "POST",
      contentType: undefined,
      signing: true,
    });
    const signature = await rsaSign(algorithm === "rsa-sha1" ? "sha1" : "sha256", key, chunks!);
    const envelope: Record<string, string> = {
      ...draft.fields,
      [spec.algorithm.field]: signing.algorithm,
      [spec.signature]: toBase64(signature),
      [certificate.field!]: certificateUrl,
      ...draft.after,
    };
    return { headers: draft.headers, rawBody: utf8(JSON.stringify(envelope, null, 2)) };
  };
}
