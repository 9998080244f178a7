import { WebhookError } from "../errors.js";
import { fromBase64, fromHex, utf8 } from "../internal/bytes.js";
import { ECDSA_DER_BYTES, SIGNATURE_BYTES } from "../internal/crypto.js";
import { getFirstHeader } from "../internal/headers.js";
import type { HeadersInput } from "../types.js";
import type { SignatureSpec } from "./definition.js";

/** One signature found in a request: its spec, and its bytes when well-formed. */
export interface Candidate {
  spec: Pick<SignatureSpec, "algorithm" | "encoding">;
  bytes: Uint8Array | undefined;
}

/** What a request's signature headers hold. */
export interface CandidateRead {
  candidates: Candidate[];
  /** The timestamp field of a `fields` header (Stripe `t=`, Paddle `ts=`). */
  fieldTimestamp: string | undefined;
  /** Whether any signature header was present at all. */
  seen: boolean;
}

/**
 * Most signatures one request may carry. Senders send one per active secret during a rotation
 * (Stripe: two `v1` and a `v0`); more only makes an unauthenticated request cost more hashing.
 */
export const MAX_SIGNATURE_CANDIDATES = 10;

/** `x-hub-signature-256` → `X-Hub-Signature-256`, for messages. */
export function displayHeader(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, ch: string) => dash + ch.toUpperCase());
}

/** The non-empty, trimmed pieces of a list header. */
export function splitList(value: string, separator: string | RegExp): string[] {
  // The common case — one value, nothing to split or trim — allocates a single array.
  if (typeof separator === "string" && !value.includes(separator)) {
    const trimmed = value.trim();
    return trimmed ? [trimmed] : [];
  }
  const out: string[] = [];
  for (const piece of value.split(separator)) {
    const trimmed = piece.trim();
    if (trimmed) out.push(trimmed);
  }
  return out;
}

/** Longest shared-secret token read from a header (Telegram allows 256 characters). */
const MAX_TOKEN_BYTES = 1024;

/** The bytes of the signature at `text[start, end)`, or undefined when it is not well-formed. */
function decodeSignature(
  text: string,
  spec: SignatureSpec,
  start = 0,
  end = text.length,
): Uint8Array | undefined {
  // `v1,` alone, or its trailing comma dropped: an empty signature, never a negative range.
  if (end < start) return undefined;
  if (spec.encoding === "text") {
    const bytes = utf8(start === 0 && end === text.length ? text : text.slice(start, end));
    return bytes.length > 0 && bytes.length <= MAX_TOKEN_BYTES ? bytes : undefined;
  }
  const bytes = spec.encoding === "hex" ? fromHex(text, start, end) : fromBase64(text, start, end);
  if (!bytes) return undefined;
  const { algorithm } = spec;
  if (algorithm === "ecdsa-p256-sha256")
    return bytes.length >= ECDSA_DER_BYTES.min && bytes.length <= ECDSA_DER_BYTES.max ? bytes : undefined;
  if (algorithm === "token") return bytes.length > 0 ? bytes : undefined;
  // RSA: as long as the certificate's modulus, 1024 to 8192 bits.
  if (algorithm === "rsa-sha1" || algorithm === "rsa-sha256")
    return bytes.length >= 128 && bytes.length <= 1024 ? bytes : undefined;
  return bytes.length === SIGNATURE_BYTES[algorithm] ? bytes : undefined;
}

interface HeaderGroup {
  names: readonly string[];
  specs: readonly SignatureSpec[];
  /** Each versioned spec's `version,` prefix, built once (`undefined` for other formats). */
  versionPrefixes: readonly (string | undefined)[];
}

/**
 * Compiles where a scheme's signatures are read from into one reader. Specs that share a header
 * (Standard Webhooks' v1 and v1a) read it once; fallback headers (GitHub's legacy SHA-1) are read
 * only when no primary one is present.
 */
export function compileSignatureReader(
  signatures: readonly SignatureSpec[],
): (headers: HeadersInput) => CandidateRead {
  const byHeader = new Map<string, SignatureSpec[]>();
  for (const spec of signatures) {
    const group = byHeader.get(spec.header);
    if (group) group.push(spec);
    else byHeader.set(spec.header, [spec]);
  }
  const all: HeaderGroup[] = [...byHeader.values()].map((specs) => ({
    names: [specs[0]!.header, ...(specs[0]!.aliases ?? [])],
    specs,
    versionPrefixes: specs.map((s) => (s.format.type === "versioned" ? `${s.format.version},` : undefined)),
  }));
  const primary = all.filter((g) => !g.specs[0]!.fallback);
  const fallback = all.filter((g) => g.specs[0]!.fallback);

  return (headers) => {
    const read: CandidateRead = { candidates: NO_CANDIDATES, fieldTimestamp: undefined, seen: false };
    for (const group of primary) readGroup(headers, group, read);
    if (!read.seen) for (const group of fallback) readGroup(headers, group, read);
    if (read.candidates.length > MAX_SIGNATURE_CANDIDATES) {
      throw new WebhookError(
        "too_many_signatures",
        `hookgate: the request carries ${read.candidates.length} signatures; senders send at most a few (one per active secret), so it is refused unchecked`,
      );
    }
    return read;
  };
}

function readGroup(
  headers: HeadersInput,
  { names, specs, versionPrefixes }: HeaderGroup,
  read: CandidateRead,
): void {
  const value = getFirstHeader(headers, names);
  if (value === undefined) return;
  read.seen = true;
  for (let s = 0; s < specs.length; s++) {
    const spec = specs[s]!;
    const { format } = spec;
    if (format.type === "plain") {
      // A proxy may join a repeated header with ", ": every piece is a candidate (a token is sent whole).
      for (const piece of spec.encoding === "text" ? [value] : splitList(value, ",")) {
        if (format.prefix && !hasPrefix(piece, format.prefix, format.prefixAnyCase)) continue;
        const start = format.prefix ? format.prefix.length : 0;
        addCandidate(read, { spec, bytes: decodeSignature(piece, spec, start) });
      }
    } else if (format.type === "versioned") {
      const prefix = versionPrefixes[s]!;
      for (const piece of splitList(value, " ")) {
        if (!piece.startsWith(prefix)) continue;
        const end = piece.endsWith(",") ? piece.length - 1 : piece.length;
        addCandidate(read, { spec, bytes: decodeSignature(piece, spec, prefix.length, end) });
      }
    } else readFields(value, spec, format, read);
    // Stop reading a hostile header as soon as it is over the cap.
    if (read.candidates.length > MAX_SIGNATURE_CANDIDATES) return;
  }
}

/**
 * What a request starts with: replaced by the first candidate's own list, never pushed to (frozen,
 * so a push would throw instead of giving one request's signature to the next).
 */
const NO_CANDIDATES = Object.freeze([]) as unknown as Candidate[];

/**
 * Adds a signature read. Most requests carry one: the list starts as an array of exactly that
 * one (an empty array pushed to reserves room for 17).
 */
function addCandidate(read: CandidateRead, candidate: Candidate): void {
  if (read.candidates.length === 0) read.candidates = [candidate];
  else read.candidates.push(candidate);
}

function hasPrefix(text: string, prefix: string, anyCase: boolean | undefined): boolean {
  if (!anyCase) return text.startsWith(prefix);
  return text.length >= prefix.length && text.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}

/** Whether JavaScript's `trim` removes this code unit (ECMA-262 WhiteSpace and LineTerminator). */
function isTrimmed(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0xa0 ||
    code === 0x1680 ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * `key=value` fields (Stripe `t=…,v1=…`, Paddle `ts=…;h1=…`): what splitting on the separator,
 * trimming each field, and trimming each side of its first `=` would give, read by position in
 * the header, so a signature is decoded from the header itself and no field becomes a string.
 */
function readFields(
  value: string,
  spec: SignatureSpec,
  format: Extract<SignatureSpec["format"], { type: "fields" }>,
  read: CandidateRead,
): void {
  const { separator } = format;
  // A proxy joining a repeated header adds "," — which only Paddle's ";" layout needs splitting on too.
  const alsoComma = separator === ";" && value.includes(",");
  for (let at = 0; at <= value.length; ) {
    let next = value.indexOf(separator, at);
    if (alsoComma) {
      const comma = value.indexOf(",", at);
      if (comma >= 0 && (next < 0 || comma < next)) next = comma;
    }
    if (next < 0) next = value.length;
    let start = at;
    let end = next;
    at = next + 1;
    while (start < end && isTrimmed(value.charCodeAt(start))) start++;
    while (end > start && isTrimmed(value.charCodeAt(end - 1))) end--;
    const eq = value.indexOf("=", start);
    if (eq < 0 || eq >= end) continue;
    let keyEnd = eq;
    while (keyEnd > start && isTrimmed(value.charCodeAt(keyEnd - 1))) keyEnd--;
    let textStart = eq + 1;
    while (textStart < end && isTrimmed(value.charCodeAt(textStart))) textStart++;
    if (isKey(value, start, keyEnd, format.timestamp)) {
      const text = value.slice(textStart, end);
      if (read.fieldTimestamp !== undefined && read.fieldTimestamp !== text) {
        throw new WebhookError(
          "malformed_timestamp",
          `hookgate: ${displayHeader(spec.header)} carries two different timestamps`,
        );
      }
      read.fieldTimestamp = text;
    } else if (isKey(value, start, keyEnd, format.signature)) {
      addCandidate(read, { spec, bytes: decodeSignature(value, spec, textStart, end) });
    }
  }
}

function isKey(value: string, start: number, end: number, key: string): boolean {
  return end - start === key.length && value.startsWith(key, start);
}
