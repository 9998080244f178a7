import { headerEntries } from "../internal/headers.js";
import type { HeadersInput, Scheme } from "../types.js";

/** Credentials a webhook never needs kept: always redacted. */
const CREDENTIALS = ["authorization", "cookie", "proxy-authorization", "set-cookie"];

export const REDACTED = "[redacted]";

/**
 * Whether a header must survive redaction for the stored request to verify again: the scheme's
 * id, type and timestamp headers, the content type, and its signature headers
 * (`facts.signatureHeaders`; also any `…signature…` / `…hmac…` name, for aliases such as
 * `svix-signature`).
 */
function needed(name: string, scheme: Scheme): boolean {
  const { facts } = scheme;
  const timestamp = facts.timestamp && "header" in facts.timestamp ? facts.timestamp.header : undefined;
  return (
    name === "content-type" ||
    facts.signatureHeaders.some((header) => header.toLowerCase() === name) ||
    name.includes("signature") ||
    name.includes("hmac") ||
    name === facts.id.header?.toLowerCase() ||
    name === facts.type.header?.toLowerCase() ||
    name === timestamp?.toLowerCase()
  );
}

/**
 * The headers a journal records and a queued job carries: lower-case names, with credentials and
 * `redact` replaced by `[redacted]` — except headers the signature needs, which are kept so
 * replays verify. A scheme's credential headers (a shared token: `facts.credentialHeaders`) are
 * always replaced: the receiver's seal, made with the token's key, stands in for them.
 */
export function journalHeaders(
  headers: HeadersInput,
  scheme: Scheme,
  redact: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headerEntries(headers)) {
    const lower = name.toLowerCase();
    const hidden =
      scheme.facts.credentialHeaders.includes(lower) ||
      ((CREDENTIALS.includes(lower) || redact.includes(lower)) && !needed(lower, scheme));
    out[lower] = hidden ? REDACTED : value;
  }
  return out;
}

/** A name that says its value is a credential. */
const CREDENTIAL_NAME = /secret|token|passw(?:or)?d|api[-_]?key|access[-_]?key/i;

/**
 * Credentials an error message may carry, whatever the provider: a URL's password
 * (`postgres://app:pw@db`), an `Authorization` value (`Bearer …`, `Basic …`), and a `name=value`
 * or `name: value` pair whose name says secret, token, password or API key. Each pattern starts
 * only where a run of its characters starts and takes that run whole (`(?=(…))\1`), so a long
 * message costs linear time.
 */
const CREDENTIAL_PATTERNS: ReadonlyArray<[RegExp, (match: string, ...groups: string[]) => string]> = [
  [
    /(?<![a-z0-9+.-])(?=([a-z][a-z0-9+.-]*))\1(:\/\/[^\s:@/]*):[^\s@/]+@/gi,
    (_match, scheme, user) => `${scheme}${user}:${REDACTED}@`,
  ],
  [
    // `token` also starts prose ("token expired"): there, only a value with a digit is one.
    /\b(bearer|basic|token(?=\s+[A-Za-z._~+/=-]*\d))(\s+)[A-Za-z0-9._~+/=-]{6,}/gi,
    (_match, kind, space) => `${kind}${space}${REDACTED}`,
  ],
  [
    /(?<![\w-])(?=([\w-]+))\1(["']?\s*[:=]\s*["']?)[^\s"',;&)}\]]+/g,
    (match, name, separator) => (CREDENTIAL_NAME.test(name) ? `${name}${separator}${REDACTED}` : match),
  ],
];

/**
 * An error message as a journal keeps it: credentials in it replaced by `[redacted]`
 * (`CREDENTIAL_PATTERNS`), so a handler's `throw new Error(\`connect ${databaseUrl}\`)` does not put
 * a password in the journal or on the dashboard.
 */
export function redactMessage(message: string): string {
  let out = message;
  for (const [pattern, replace] of CREDENTIAL_PATTERNS) {
    out = out.replace(pattern, replace as (match: string, ...groups: string[]) => string);
  }
  return out;
}
