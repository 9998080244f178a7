import { WebhookError } from "../errors.js";
import { extend } from "../internal/extend.js";
import type { HeaderSigningScheme, Scheme } from "../types.js";
import { compileBodySignatureReader, redactBodyToken, redactPayloadToken } from "./body-signature.js";
import { certificateKeys } from "./certificate-source.js";
import type { ContentContext, SchemeDefinition, SchemeKeys } from "./definition.js";
import { registerEngine } from "./engine.js";
import { isForm, parseAs, signedFormat } from "./payload.js";
import { describeScheme } from "./scheme-facts.js";
import { secretHandshakeChallenge } from "./secret-handshake.js";
import { secretSource } from "./secret-source.js";
import { createBodySigner } from "./sign-body.js";
import { createEnvelopeSigner } from "./sign-envelope.js";
import { createSigner, headerSignedRequest, type SignerParts } from "./sign-request.js";
import { compileSignatureReader, displayHeader } from "./signature-headers.js";
import { compileTemplate, templateUses } from "./signed-content.js";
import { compileEnvelopeReader, envelopeContent } from "./signed-envelope.js";
import { signedHandshakeChallenge } from "./signed-handshake.js";
import { createVerifier, type VerifierParts } from "./verify-signature.js";

/**
 * Builds a {@link Scheme} from a declarative {@link SchemeDefinition} and secrets. Keys are
 * decoded here, once; `verify`, `sign` and `signRequest` share every rule of the definition.
 *
 * @example
 * const acme = defineScheme({
 *   name: "acme",
 *   signatures: [{ header: "x-acme-signature", format: { type: "plain", prefix: "sha256=" }, algorithm: "sha256", encoding: "hex" }],
 *   timestamp: { header: "x-acme-timestamp", unit: "s" },
 *   content: "{timestamp}.{body}",
 *   key: utf8Key,
 * }, { secret: process.env.ACME_SECRET! });
 */
export function defineScheme<D extends SchemeDefinition>(
  definition: D,
  keys: SchemeKeys,
): D extends { bodySignature: object } | { envelope: object } ? Scheme : HeaderSigningScheme;
export function defineScheme(definition: SchemeDefinition, keys: SchemeKeys): Scheme {
  const { name } = definition;
  const { certificate, envelope } = definition;
  if (envelope ? !certificate?.field || definition.content !== undefined : definition.content === undefined) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: the ${name} scheme needs \`content\`, or a signed \`envelope\` with a \`certificate.field\` and no \`content\``,
    );
  }
  // A certificate scheme's key is the one its request names, fetched within bounds: no secret.
  const certificates = certificate ? certificateKeys(certificate) : undefined;
  const secrets: VerifierParts["secrets"] = certificates
    ? async (_input, checked) => [{ index: 0, key: await certificates.keyFor(checked.certificateUrl!) }]
    : secretSource(keys.secret, name, definition.key, keys.optionName);
  const signingKeys =
    keys.signingKey === undefined
      ? certificates
        ? []
        : (secrets as SignerParts["keys"])
      : secretSource(keys.signingKey, name, keys.signingKeyDecoder ?? definition.key, "signingKey");
  const rawSecrets =
    typeof keys.secret === "function" || certificates
      ? []
      : (Array.isArray(keys.secret) ? keys.secret : keys.secret === undefined ? [] : [keys.secret]).map(
          (s) => (typeof s === "string" ? s : (s as { value: string }).value),
        );
  const contentTypes = definition.contentTypes ?? ["application/json"];
  // What the handler sees is what was signed: the body's format is decided by its signed bytes and
  // the scheme (`signedFormat`), never by the unsigned Content-Type, and both the parser and a
  // signed-content function that reads forms (Twilio) are given that format instead of the header.
  const parser = definition.parse ?? parseAs;
  const parse = (text: string) => parser(text, signedFormat(text, contentTypes));
  // A signed envelope's content is its signed fields, as the envelope spec lists them (checked above).
  const contentOf = envelope ? envelopeContent : definition.content!;
  const content =
    typeof contentOf === "string"
      ? compileTemplate(contentOf)
      : (context: ContentContext) =>
          contentOf(
            context.signing
              ? context
              : extend(context, { contentType: signedFormat(context.body, contentTypes) }),
          );

  const signatures = definition.signatures ?? [];
  const inBody = definition.bodySignature;
  if (inBody && typeof contentOf === "string" && templateUses(contentOf, "body")) {
    // The body holds the signature: what is signed is its fields, never the body that carries them.
    throw new WebhookError(
      "invalid_option",
      `hookgate: the ${name} scheme carries its signature in the body, so its template cannot sign {body}; sign the fields ({field:<name>})`,
    );
  }
  const signer = { definition, keys: signingKeys, content, contentTypes };
  const sign = inBody || envelope ? undefined : createSigner(signer);
  const verifier = createVerifier({
    definition,
    secrets,
    rawSecrets,
    certificates,
    readSignatures: compileSignatureReader(signatures),
    readBodySignature: envelope
      ? compileEnvelopeReader(envelope, name, certificate!)
      : inBody &&
        compileBodySignatureReader(inBody, name, (text) => {
          const format = signedFormat(text, contentTypes);
          return { payload: parser(text, format), form: isForm(format) };
        }),
    content,
    parse,
    signatureLabel: envelope
      ? `body's ${envelope.signature}`
      : inBody
        ? `body's ${inBody.json ? `${inBody.json}.` : ""}${inBody.signature}`
        : [...new Set(signatures.map((s) => displayHeader(s.header)))].join(" / "),
    signsId: typeof definition.content === "string" && templateUses(definition.content, "id"),
  });
  const scheme: Scheme = {
    name,
    facts: describeScheme(definition, contentTypes),
    verify: verifier.verify,
    verifySync: verifier.verifySync,
    reverify: verifier.reverify,
    signRequest: sign
      ? headerSignedRequest(sign)
      : envelope
        ? createEnvelopeSigner(signer, envelope)
        : createBodySigner(signer, inBody!),
    withSigningKey: (signingKey) => defineScheme(definition, { ...keys, signingKey }),
  };
  // A signature carried in the body has no headers of its own to return: `signRequest` writes it.
  if (sign) scheme.sign = sign;
  if (definition.handshake) scheme.handshake = definition.handshake;
  const unsigned = definition.secretHandshake
    ? secretHandshakeChallenge(definition.secretHandshake, keys.secret ?? [], definition.challenge)
    : definition.challenge;
  const challenge = definition.signedHandshake
    ? signedHandshakeChallenge(definition.signedHandshake, verifier.prove, unsigned)
    : unsigned;
  if (challenge) scheme.challenge = challenge;
  const split = definition.split;
  if (inBody?.algorithm === "token") {
    // A token in the body is a credential: what is handed on (journal, queue) carries it redacted,
    // in its bytes and in its parsed payload. The copies share the request's proof, which the
    // receiver carries beside them.
    const tokenSpec = inBody;
    scheme.split = (delivery) => {
      const rawBody = redactBodyToken(tokenSpec, delivery.rawBody);
      return (split ? split(delivery) : [delivery]).map((each) => ({
        ...each,
        rawBody,
        payload: redactPayloadToken(tokenSpec, each.payload),
      }));
    };
  } else if (split) scheme.split = split;
  if (definition.responses) Object.assign(scheme, { responses: definition.responses });
  registerEngine(scheme, {
    verify: verifier.prove,
    reverify: verifier.reprove,
    staticSecrets: typeof secrets === "function" ? undefined : secrets,
    perTenant: typeof keys.secret === "function",
    startStream: verifier.startStream,
  });
  return scheme;
}
