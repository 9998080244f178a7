import { WebhookError } from "../errors.js";

const FORM_MEDIA_TYPE = "application/x-www-form-urlencoded";
const JSON_MEDIA_TYPE = "application/json";

/**
 * Most fields a form body may have. Providers send a few dozen at most (a Twilio callback ~30, a
 * Slack slash command ~12, a Mailgun form webhook ~20); the cap bounds the work done on a form
 * before its signature is checked (Mailgun's travels inside it).
 */
export const MAX_FORM_FIELDS = 1000;

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const semicolon = contentType.indexOf(";");
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** True when the media type is exactly `application/x-www-form-urlencoded` (any case, any parameters). */
export function isForm(contentType: string | undefined): boolean {
  // Shorter than the media type alone (`application/json`): no need to cut, trim and lower-case it.
  if (contentType === undefined || contentType.length < FORM_MEDIA_TYPE.length) return false;
  return mediaTypeOf(contentType) === FORM_MEDIA_TYPE;
}

/**
 * Whether a body is a JSON object or array: its first character after a byte order mark and JSON
 * whitespace is `{` or `[`. A form body never is: form encoding percent-encodes both.
 */
export function looksLikeJson(body: string | Uint8Array): boolean {
  const text = typeof body === "string";
  let i = 0;
  if (text ? body.charCodeAt(0) === 0xfeff : body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)
    i = text ? 1 : 3;
  for (; i < body.length; i++) {
    const c = text ? body.charCodeAt(i) : body[i]!;
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b || c === 0x5b;
  }
  return false;
}

/**
 * The format a signed body is read in — `application/json` or `application/x-www-form-urlencoded`
 * — decided by its bytes and the media types the scheme accepts, never by the unsigned
 * Content-Type: the signature covers the bytes, not the header, so a header that chose the parser
 * would let anyone re-send a signed JSON body as a form and have a `&payload=` typed into one of
 * its strings read as the payload (issue 18 hole 3).
 *
 * The rule keeps every provider's genuine deliveries: a scheme that accepts only one format reads
 * every body in it; one that accepts both (Slack events as JSON, interactivity and slash commands
 * as forms; GitHub's `payload=` form; Twilio; Mailgun) reads a body that starts with `{` or `[` as
 * JSON, and any other as a form — no provider's form starts with either, since form encoding
 * percent-encodes them, and none of their JSON bodies starts with anything else.
 */
export function signedFormat(
  body: string | Uint8Array,
  accepts: readonly string[],
): typeof JSON_MEDIA_TYPE | typeof FORM_MEDIA_TYPE {
  if (!accepts.includes(FORM_MEDIA_TYPE)) return JSON_MEDIA_TYPE;
  if (accepts.length === 1) return FORM_MEDIA_TYPE;
  return looksLikeJson(body) ? JSON_MEDIA_TYPE : FORM_MEDIA_TYPE;
}

/**
 * Parses JSON, or `application/x-www-form-urlencoded` fields (repeated fields become arrays). A
 * body that is a JSON object or array is read as JSON whatever the Content-Type says; the header
 * only lets a body that is not one be read as a form.
 */
export function parsePayload(text: string, contentType: string | undefined): unknown {
  const accepts = isForm(contentType) ? [JSON_MEDIA_TYPE, FORM_MEDIA_TYPE] : [JSON_MEDIA_TYPE];
  return parseAs(text, signedFormat(text, accepts));
}

/** Parses a body in the format {@link signedFormat} decided (form fields, or JSON). */
export function parseAs(text: string, format: string | undefined): unknown {
  return isForm(format) ? parseForm(text) : parseJson(text);
}

/** Parses a JSON body, refusing an empty or malformed one with `invalid_payload`. */
export function parseJson(text: string): unknown {
  if (text.length === 0)
    throw new WebhookError("invalid_payload", "hookgate: the body is empty; expected a JSON payload");
  try {
    // RFC 8259 §8.1 lets a parser ignore a byte order mark; JSON.parse does not, so skip it here.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (cause) {
    throw new WebhookError("invalid_payload", "hookgate: the body is not valid JSON", { cause });
  }
}

/**
 * A form body's fields, in order, refused with `invalid_payload` past `maxFields` before any is
 * decoded: the one place form bodies are split, so the work is linear in size and bounded.
 */
export function formFields(text: string, maxFields = MAX_FORM_FIELDS): URLSearchParams {
  // URLSearchParams splits on `&` only; counting them bounds the fields without decoding any.
  let separators = 0;
  for (let i = text.indexOf("&"); i >= 0; i = text.indexOf("&", i + 1)) {
    if (++separators >= maxFields) {
      throw new WebhookError(
        "invalid_payload",
        `hookgate: the form body has more than ${maxFields} fields; no provider sends that many, so it is refused unread`,
      );
    }
  }
  return new URLSearchParams(text);
}

/**
 * Form fields as a null-prototype record (a field named `__proto__` or `constructor` is just a
 * field); a field sent more than once becomes an array. At most `maxFields` fields (see
 * {@link MAX_FORM_FIELDS}); more are refused with `invalid_payload`.
 */
export function parseForm(text: string, maxFields = MAX_FORM_FIELDS): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of formFields(text, maxFields)) {
    const existing = out[key];
    // Appended in place: copying the array per repeat made a form of repeated fields quadratic.
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}
