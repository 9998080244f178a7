import type { Scheme } from "../types.js";
import type { SchemeDefinition, SchemeKeys } from "./definition.js";
import { parseJson, parsePayload } from "./payload.js";
import { describeScheme } from "./scheme-facts.js";
import { secretHandshakeChallenge } from "./secret-handshake.js";
import { secretSource } from "./secret-source.js";
import { createSigner, headerSignedRequest } from "./sign-request.js";
import { compileSignatureReader, displayHeader } from "./signature-headers.js";
import { compileTemplate, templateUses } from "./signed-content.js";
import { createVerifier } from "./verify-signature.js";

const FORM = "application/x-www-form-urlencoded";

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
export function defineScheme(definition: SchemeDefinition, keys: SchemeKeys): Scheme {
  const { name } = definition;
  const secrets = secretSource(keys.secret, name, definition.key, keys.optionName);
  const signingKeys =
    keys.signingKey === undefined
      ? secrets
      : secretSource(keys.signingKey, name, keys.signingKeyDecoder ?? definition.key, "signingKey");
  const rawSecrets =
    typeof keys.secret === "function"
      ? []
      : (Array.isArray(keys.secret) ? keys.secret : [keys.secret]).map((s) =>
          typeof s === "string" ? s : (s as { value: string }).value,
        );
  const content =
    typeof definition.content === "string" ? compileTemplate(definition.content) : definition.content;
  const contentTypes = definition.contentTypes ?? ["application/json"];
  // The body format is the scheme's, never the unsigned Content-Type's: a JSON-only sender's body
  // is parsed as JSON whatever the request claims.
  const parse =
    definition.parse ?? (contentTypes.includes(FORM) ? parsePayload : (text: string) => parseJson(text));

  const sign = createSigner({ definition, keys: signingKeys, content, contentTypes });
  const scheme: Scheme = {
    name,
    contentTypes,
    facts: describeScheme(definition, contentTypes),
    verify: createVerifier({
      definition,
      secrets,
      rawSecrets,
      readSignatures: compileSignatureReader(definition.signatures),
      content,
      parse,
      signatureLabel: [...new Set(definition.signatures.map((s) => displayHeader(s.header)))].join(" / "),
      signsId: typeof definition.content === "string" && templateUses(definition.content, "id"),
    }),
    sign,
    signRequest: headerSignedRequest(sign),
    withSigningKey: (signingKey) => defineScheme(definition, { ...keys, signingKey }),
  };
  if (definition.handshake) scheme.handshake = definition.handshake;
  const challenge = definition.secretHandshake
    ? secretHandshakeChallenge(definition.secretHandshake, keys.secret, definition.challenge)
    : definition.challenge;
  if (challenge) scheme.challenge = challenge;
  if (definition.split) scheme.split = definition.split;
  if (definition.responses) Object.assign(scheme, { responses: definition.responses });
  return scheme;
}
