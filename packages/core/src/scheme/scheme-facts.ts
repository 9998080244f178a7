import type { FieldFacts, SchemeFacts } from "../types.js";
import type { SchemeDefinition, SignatureAlgorithm, ValueSource } from "./definition.js";
import { templateUses } from "./signed-content.js";
import { payloadPaths } from "./value-sources.js";

/** Algorithms verified with the sender's public key, not a shared secret. */
const PUBLIC_KEYS = new Set<SignatureAlgorithm>(["ed25519", "ecdsa-p256-sha256", "rsa-sha1", "rsa-sha256"]);

function fieldFacts(source: ValueSource | undefined): FieldFacts {
  if (!source) return {};
  if (typeof source === "function") return { computed: true };
  const facts: FieldFacts = {};
  if (source.header) facts.header = source.header;
  const paths = payloadPaths(source);
  if (paths.length) facts.payload = paths;
  if (source.action) facts.action = source.action;
  return facts;
}

/**
 * Whether a scheme is verified by a shared token alone (Telegram, GitLab, bearer and basic auth,
 * Graph's `clientState`): the header carries the secret itself, the same on every delivery, so
 * nothing per delivery is signed. Such a delivery is keyed by its id as sent, and its body bound
 * to that key (`receiver/claim.ts`); SECURITY.md's table says so from the same predicate.
 */
export function isTokenScheme(facts: Pick<SchemeFacts, "algorithms">): boolean {
  return facts.algorithms.length > 0 && facts.algorithms.every((algorithm) => algorithm === "token");
}

/** What a scheme's senders do, derived from its definition: what the test kit and the CLI read. */
export function describeScheme(definition: SchemeDefinition, contentTypes: readonly string[]): SchemeFacts {
  const id = fieldFacts(definition.id);
  const template = typeof definition.content === "string" ? definition.content : undefined;
  const signatures = definition.signatures ?? [];
  const inBody = definition.bodySignature;
  const { envelope } = definition;
  const algorithms = [
    ...new Set([
      ...signatures.map((s) => s.algorithm),
      ...(inBody ? [inBody.algorithm] : []),
      ...(envelope ? Object.values(envelope.algorithm.values) : []),
    ]),
  ];
  // A shared token (Telegram, GitLab) authenticates the sender but covers no byte of the body;
  // a body-carried signature over its own fields only (Mailgun's timestamp and token) neither.
  // A signed envelope's fields are signed one by one, its message (the event) among them.
  const bodySigned = envelope
    ? true
    : inBody
      ? inBody.algorithm !== "token" && (template === undefined || templateUses(template, "body"))
      : signatures.some((s) => s.algorithm !== "token") &&
        (template === undefined || templateUses(template, "body"));
  const facts: SchemeFacts = {
    id,
    type: fieldFacts(definition.type),
    contentTypes,
    signsUrl: definition.signsUrl ?? (template !== undefined && templateUses(template, "url")),
    algorithms,
    signatureHeaders: [...new Set(signatures.map((s) => s.header))],
    credentialHeaders: [
      ...new Set(
        signatures
          .filter((s) => s.algorithm === "token")
          .flatMap((s) => [s.header, ...(s.aliases ?? [])].map((h) => h.toLowerCase())),
      ),
    ],
    keys: algorithms.length > 0 && algorithms.every((a) => PUBLIC_KEYS.has(a)) ? "public" : "secret",
    bodySigned,
    // A payload id is signed where the body is, or where it is one of a body signature's signed
    // fields (Mailgun's token) — not under a shared token (Telegram's update_id); a header id only
    // where the template includes it.
    idSigned:
      id.header === undefined
        ? id.payload !== undefined && (bodySigned || inBody?.id !== undefined)
        : template !== undefined && templateUses(template, "id"),
  };
  if (definition.deadline) facts.deadline = definition.deadline;
  if (definition.eventTime) facts.eventTime = { ...definition.eventTime };
  if (inBody)
    facts.bodySignature = { json: inBody.json, field: inBody.signature, each: inBody.each === true };
  if (envelope) {
    facts.envelope = envelope.message;
    facts.bodySignature = { json: "", field: envelope.signature, each: false };
  }
  const { certificate } = definition;
  if (certificate) {
    facts.certificate = certificate.field
      ? { field: certificate.field, form: certificate.form }
      : { header: certificate.header!, form: certificate.form };
  }
  const ts = definition.timestamp;
  if (ts) {
    facts.timestamp =
      "header" in ts
        ? { header: ts.header, unit: ts.unit }
        : "payload" in ts
          ? { payload: ts.payload, unit: ts.unit }
          : { signature: true, unit: ts.unit };
  }
  return facts;
}
