import { WebhookError } from "../errors.js";
import { decodeUtf8, fromBase64, fromHex, utf8 } from "../internal/bytes.js";
import { SIGNATURE_BYTES } from "../internal/crypto.js";
import type { BodySignatureSpec } from "./definition.js";
import type { Candidate } from "./signature-headers.js";
import { getPath } from "./value-sources.js";

/** Longest value of a signed body field: every sender's tokens and timestamps are far shorter. */
const MAX_FIELD_LENGTH = 256;
/** Most items of an `each` array: one batch's notifications. */
const MAX_ITEMS = 1000;
/** What a kept body carries instead of a token. */
export const REDACTED_TOKEN = "[redacted]";

/** What a body-carried signature's fields hold, read from the parsed body. */
export interface BodySignatureRead {
  /** The body, parsed once: the payload the delivery carries. */
  payload: unknown;
  candidates: Candidate[];
  /** The signed fields, by name. */
  fields: Record<string, string>;
}

function missing(name: string, names: readonly string[]): WebhookError {
  return new WebhookError(
    "missing_signature",
    `hookgate: the body carries no ${name} signature (${names.join(", ")})`,
  );
}

/** The objects that carry the fields: the body (a form, or `json` of a JSON body), or each item of `json`. */
function carriers(
  spec: BodySignatureSpec,
  payload: unknown,
  form: boolean,
  name: string,
  where: string[],
): unknown[] {
  const container = form || !spec.json ? payload : getPath(payload, spec.json);
  if (!spec.each) return [container];
  if (!Array.isArray(container) || container.length === 0 || container.length > MAX_ITEMS)
    throw missing(name, where);
  return container;
}

/**
 * Reads a signature carried in the body (see {@link BodySignatureSpec}), compiled once per scheme:
 * the body is parsed the way the scheme parses it (bounded, and by its bytes, never the
 * unsigned Content-Type), and its signature fields found where the spec says — the top level of
 * a form, the object at `json` in a JSON body, or each item of the array at `json`.
 */
export function compileBodySignatureReader(
  spec: BodySignatureSpec,
  name: string,
  parse: (text: string) => { payload: unknown; form: boolean },
): (body: Uint8Array) => BodySignatureRead {
  const prefix = spec.json ? `${spec.json}${spec.each ? "[]" : ""}.` : "";
  const names = [...spec.fields, spec.signature];
  const where = names.map((n) => prefix + n);
  return (body) => {
    const text = decodeUtf8(body);
    if (text === undefined)
      throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
    const { payload, form } = parse(text);
    let values: Record<string, string> | undefined;
    for (const carrier of carriers(spec, payload, form, name, where)) {
      const read: Record<string, string> = {};
      for (const field of names) {
        const value = (carrier as Record<string, unknown> | null | undefined)?.[field];
        if (typeof value !== "string" || !Object.hasOwn(carrier as object, field)) throw missing(name, where);
        read[field] = value;
        // Every item carries the same fields (what the sender set once, for the subscription).
        if (values && values[field] !== value) {
          throw new WebhookError(
            "signature_mismatch",
            `hookgate: the ${name} notifications of one request carry different ${field} values; refused`,
          );
        }
      }
      values ??= read;
    }
    const fields = values!;
    const signature = fields[spec.signature]!;
    const bytes =
      spec.encoding === "text"
        ? utf8(signature)
        : spec.encoding === "hex"
          ? fromHex(signature)
          : fromBase64(signature);
    const length = spec.algorithm === "token" ? undefined : SIGNATURE_BYTES[spec.algorithm];
    const wellFormed =
      bytes !== undefined &&
      (length === undefined ? bytes.length > 0 && bytes.length <= 1024 : bytes.length === length);
    if (!wellFormed || spec.fields.some((field) => fields[field]!.length > MAX_FIELD_LENGTH)) {
      throw new WebhookError(
        "malformed_signature",
        `hookgate: the ${name} signature is not ${length === undefined ? "a token of at most 1024 bytes" : spec.encoding === "hex" ? `${length * 2} hex characters` : `base64 of ${length} bytes`}`,
      );
    }
    const signed = { ...fields };
    delete signed[spec.signature];
    return { payload, candidates: [{ spec, bytes: bytes! }], fields: signed };
  };
}

/**
 * A body with its token fields replaced by {@link REDACTED_TOKEN}: what deliveries carry onward
 * (journal rows, queued jobs), so a shared secret sent in the body is never kept. JSON bodies
 * only (a form's token would be redacted the same way, by field).
 */
export function redactBodyToken(spec: BodySignatureSpec, rawBody: Uint8Array): Uint8Array {
  const text = decodeUtf8(rawBody);
  if (text === undefined) return rawBody;
  if (!/^\s*[[{]/.test(text)) {
    const form = new URLSearchParams(text);
    if (form.has(spec.signature)) form.set(spec.signature, REDACTED_TOKEN);
    return utf8(form.toString());
  }
  const payload = JSON.parse(text) as unknown;
  const container = spec.json ? getPath(payload, spec.json) : payload;
  for (const carrier of spec.each && Array.isArray(container) ? container : [container]) {
    if (carrier !== null && typeof carrier === "object" && Object.hasOwn(carrier, spec.signature)) {
      (carrier as Record<string, unknown>)[spec.signature] = REDACTED_TOKEN;
    }
  }
  return utf8(JSON.stringify(payload));
}

/**
 * A parsed payload with its token fields replaced by {@link REDACTED_TOKEN}, as
 * {@link redactBodyToken} does to the bytes: the payload of a split event is the item that carried
 * the token (Microsoft Graph's `value[]`), and of a whole delivery the body, so both are redacted.
 */
export function redactPayloadToken(spec: BodySignatureSpec, payload: unknown): unknown {
  if (payload === null || typeof payload !== "object") return payload;
  const copy = structuredClone(payload) as Record<string, unknown>;
  const container = spec.json ? getPath(copy, spec.json) : copy;
  for (const carrier of [copy, ...(spec.each && Array.isArray(container) ? container : [container])]) {
    if (carrier !== null && typeof carrier === "object" && Object.hasOwn(carrier, spec.signature)) {
      (carrier as Record<string, unknown>)[spec.signature] = REDACTED_TOKEN;
    }
  }
  return copy;
}
