import { isTokenScheme } from "../../scheme/scheme-facts.js";
import { schemeForSecret, schemeNames, schemeNeedsOptions } from "../../schemes/by-name.js";
import type { FieldFacts, Scheme, SchemeFacts, SignatureAlgorithmFact } from "../../types.js";
import { generateEcdsaP256 } from "../crypto.js";

/**
 * SECURITY.md's per-scheme table — what each signature covers and what hookgate adds where it
 * covers less — written from `scheme.facts` alone, so a new scheme adds its own row. Not part of
 * the published API: `pnpm docs:tables` writes it, and a test fails when SECURITY.md differs.
 */

export const SCHEMES_START = "<!-- schemes:start -->";
export const SCHEMES_END = "<!-- schemes:end -->";

/** Options that configure the schemes one secret does not (aws-sns, hmac), at their minimum. */
const MINIMAL_OPTIONS = {
  topicArn: "arn:aws:sns:us-east-1:123456789012:docs",
  certificateUrl: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-docs.pem",
  header: "x-signature",
  webhookId: "DOCS0WEBHOOK",
};

/** An RSA private key, PEM PKCS#8: what certificate schemes sign test deliveries with. */
async function rsaPrivateKeyPem(): Promise<string> {
  const algorithm = {
    name: "RSASSA-PKCS1-v1_5",
    hash: "SHA-256",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
  };
  const pair = (await globalThis.crypto.subtle.generateKey(algorithm, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await globalThis.crypto.subtle.exportKey("pkcs8", pair.privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString("base64")}\n-----END PRIVATE KEY-----`;
}

/** A scheme by name, built from the first secret form it takes; facts do not depend on the secret. */
export async function docsScheme(name: string): Promise<Scheme> {
  const candidates = [
    async () => "docs-secret",
    async () => `whsec_${Buffer.from("hookgate docs table secret").toString("base64")}`,
    async () => "11".repeat(32), // an Ed25519 seed
    async () => (await generateEcdsaP256()).privateKey,
    rsaPrivateKeyPem,
  ];
  const options = schemeNeedsOptions(name).length > 0 ? MINIMAL_OPTIONS : {};
  let last: unknown;
  for (const candidate of candidates) {
    try {
      return schemeForSecret(name, await candidate(), options);
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

const FAMILY: Record<SignatureAlgorithmFact, string> = {
  sha1: "HMAC-SHA1",
  sha256: "HMAC-SHA256",
  sha512: "HMAC-SHA512",
  ed25519: "Ed25519",
  "ecdsa-p256-sha256": "ECDSA P-256",
  "rsa-sha1": "RSA (certificate)",
  "rsa-sha256": "RSA (certificate)",
  token: "shared token",
};

const code = (text: string) => `\`${text}\``;
const list = (items: readonly string[]) => items.map(code).join(", ");

/** A shared token: the header carries the secret itself and covers no byte of the request. */
function where(field: FieldFacts, facts: SchemeFacts): string {
  const places: string[] = [];
  if (field.header) places.push(`${code(field.header)} header`);
  const container = facts.envelope ? "envelope" : "body";
  if (field.payload) places.push(`${field.header ? "else " : ""}${container} ${list(field.payload)}`);
  if (field.computed) places.push("computed from the body");
  return places.join(", ") || "none sent";
}

function signature(facts: SchemeFacts): string {
  const families = [...new Set(facts.algorithms.map((algorithm) => FAMILY[algorithm]))].join(" or ");
  const carrier =
    facts.signatureHeaders.length > 0
      ? `in ${list(facts.signatureHeaders)}`
      : facts.envelope
        ? "in the signed envelope"
        : "in the body";
  return `${families}, ${carrier}`;
}

function covers(facts: SchemeFacts): string {
  if (isTokenScheme(facts)) return "nothing: the token proves the sender only";
  const parts: string[] = [];
  if (facts.bodySigned) parts.push(facts.envelope ? "the envelope's fields (not its JSON layout)" : "body");
  if (facts.timestamp) parts.push("timestamp");
  if (facts.idSigned) parts.push(facts.bodySigned ? "id" : `id (${where(facts.id, facts)})`);
  if (facts.signsUrl) parts.push("URL");
  return parts.join(", ");
}

function freshness(facts: SchemeFacts): string {
  const ts = facts.timestamp;
  if (!ts) return "none (no signed timestamp)";
  const unit = ts.unit === "iso" ? "RFC 3339" : ts.unit;
  if ("header" in ts) return `signed, ${code(ts.header)} header (${unit})`;
  if ("payload" in ts) return `signed, body ${code(ts.payload)} (${unit})`;
  return `signed, beside the signature (${unit})`;
}

function dedupeKey(scheme: Scheme): string {
  const { facts } = scheme;
  if (isTokenScheme(facts)) return `the id as sent (${where(facts.id, facts)}), bound to its body`;
  if (scheme.split) {
    return "each event's own id in the signed body (an event without one: the batch's id and its position)";
  }
  if (facts.idSigned) return `the signed id (${where(facts.id, facts)})`;
  return `a digest of the signed ${facts.timestamp ? "timestamp and " : ""}body (the id, ${where(facts.id, facts)}, is not signed)`;
}

function adds(scheme: Scheme): string {
  const { facts } = scheme;
  const notes: string[] = [];
  if (isTokenScheme(facts)) {
    notes.push(
      "the token proves the sender, not the body: the body is bound to its id on first sight, and the token is never kept — journal rows and queued jobs are sealed with a key derived from it",
    );
  } else if (!facts.bodySigned) {
    notes.push(
      `signs ${facts.timestamp ? "its timestamp and " : ""}id (${where(facts.id, facts)}) only, not the event: the id is bound to the first body seen with it`,
    );
  }
  if (!isTokenScheme(facts) && !facts.idSigned && !scheme.split) {
    notes.push("a replay under a fresh id header, or re-signed with a rotated secret, is a duplicate");
  }
  if (!facts.timestamp) notes.push("replays are stopped by the idempotency store only, for `ttlMs`");
  if (facts.keys === "public") {
    notes.push("public keys: journal rows and queued jobs are sealed with the receiver's `sealKey`");
  }
  return notes.length > 0 ? `${notes.join("; ")}.` : "—";
}

const escapeCell = (text: string) => text.replace(/\|/g, "\\|");

/** A Markdown table with its columns padded, as the formatter (`pnpm format`) writes it. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows].map((cells) => cells.map(escapeCell));
  const widths = header.map((_, column) => Math.max(3, ...all.map((cells) => [...cells[column]!].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell + " ".repeat(widths[column]! - [...cell].length)).join(" | ")} |`;
  const [head, ...body] = all;
  return [line(head!), `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`, ...body.map(line)].join(
    "\n",
  );
}

/** The Markdown table, one row per built-in scheme in `schemeNames` order. */
export async function securityTable(): Promise<string> {
  const rows: string[][] = [];
  for (const name of schemeNames) {
    const scheme = await docsScheme(name);
    const configured = schemeNeedsOptions(name);
    const label =
      configured.length > 0
        ? `${code(name)} (with ${configured.map((option) => code(option)).join(", ")} only)`
        : code(name);
    rows.push([
      label,
      signature(scheme.facts),
      covers(scheme.facts),
      freshness(scheme.facts),
      dedupeKey(scheme),
      adds(scheme),
    ]);
  }
  return markdownTable(
    ["scheme", "signature", "covers", "freshness", "dedupe key", "what hookgate adds where it covers less"],
    rows,
  );
}

/** `document` with the text between the markers replaced by `table`; throws without the markers. */
export function withSecurityTable(document: string, table: string): string {
  const start = document.indexOf(SCHEMES_START);
  const end = document.indexOf(SCHEMES_END);
  if (start < 0 || end < start) {
    throw new Error(`SECURITY.md has no ${SCHEMES_START} … ${SCHEMES_END} block`);
  }
  return `${document.slice(0, start + SCHEMES_START.length)}\n${table}\n${document.slice(end)}`;
}
