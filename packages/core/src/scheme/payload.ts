import { WebhookError } from "../errors.js";

const FORM_MEDIA_TYPE = "application/x-www-form-urlencoded";

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

/** Parses JSON, or `application/x-www-form-urlencoded` fields (repeated fields become arrays). */
export function parsePayload(text: string, contentType: string | undefined): unknown {
  if (isForm(contentType)) return parseForm(text);
  return parseJson(text);
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
 * Form fields as a null-prototype record (a field named `__proto__` or `constructor` is just a
 * field); a field sent more than once becomes an array.
 */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = out[key];
    out[key] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}
