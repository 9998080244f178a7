import { WebhookError } from "../errors.js";
import { decodeUtf8, toBase64, toHex, toText, utf8 } from "../internal/bytes.js";
import { hmac } from "../internal/crypto.js";
import type { SignedRequest, SignInput } from "../types.js";
import type { BodySignatureSpec } from "./definition.js";
import { isForm, parseJson } from "./payload.js";
import { toRawBytes } from "./raw-bytes.js";
import { contentTypeFor, type SignerParts, signingKeyFor } from "./sign-request.js";
import { formatTimestamp } from "./timestamps.js";

const FORM = "application/x-www-form-urlencoded";
const randomHex = (bytes: number) => toHex(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));

/**
 * `signRequest` for a signature carried in the body ({@link BodySignatureSpec}): the fields are
 * made (the timestamp field from the signing time, the id field from the id — 50 random hex
 * characters without one — any other a random value), signed, and written into the body. A form
 * gets them appended (replacing any already there); a JSON object gets the object at `json` first,
 * keeping the event's own bytes where it can, or the fields at its top level when `json` is `""`.
 */
export function createBodySigner(
  parts: SignerParts,
  spec: BodySignatureSpec,
): (input: SignInput) => Promise<SignedRequest> {
  const { definition, content, contentTypes } = parts;
  const { name } = definition;
  const tsSpec = definition.timestamp;
  const timestampField = tsSpec && "field" in tsSpec ? tsSpec : undefined;

  return async (input) => {
    const rawBody = toRawBytes(input.rawBody);
    const text = decodeUtf8(rawBody);
    if (text === undefined)
      throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
    const key = await signingKeyFor(parts, name, input, rawBody);
    if (key.kind !== "hmac") {
      throw new WebhookError("invalid_secret", `hookgate: the ${name} scheme signs with an HMAC secret`);
    }
    const fields: Record<string, string> = {};
    for (const field of spec.fields) {
      fields[field] =
        field === timestampField?.field
          ? formatTimestamp(input.timestamp ?? new Date(), timestampField.unit)
          : field === spec.id
            ? (input.id ?? randomHex(25))
            : randomHex(16);
    }
    const [chunks] = await content({
      id: fields[spec.id ?? ""],
      timestamp: timestampField ? fields[timestampField.field] : undefined,
      body: rawBody,
      url: input.url,
      method: "POST",
      contentType: input.contentType,
      signing: true,
      fields,
    });
    if (spec.algorithm === "token") fields[spec.signature] = toText(key.bytes);
    else {
      const digest = await hmac(spec.algorithm, key, chunks!);
      fields[spec.signature] = spec.encoding === "hex" ? toHex(digest) : toBase64(digest);
    }
    const contentType = input.contentType ?? contentTypeFor(rawBody, contentTypes);
    if (isForm(contentType))
      return { headers: { "content-type": FORM }, rawBody: utf8(formWith(text, fields)) };
    return {
      headers: { "content-type": "application/json" },
      rawBody: utf8(jsonWith(text, spec, fields, name)),
    };
  };
}

function formWith(text: string, fields: Record<string, string>): string {
  const form = new URLSearchParams(text);
  for (const field of Object.keys(fields)) form.delete(field);
  for (const [field, value] of Object.entries(fields)) form.append(field, value);
  return form.toString();
}

function jsonWith(
  text: string,
  spec: BodySignatureSpec,
  fields: Record<string, string>,
  name: string,
): string {
  const event = text.trim() === "" ? {} : parseJson(text);
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new WebhookError(
      "invalid_payload",
      `hookgate: a ${name} JSON body is an object; the signature is written into it`,
    );
  }
  if (spec.each) {
    // Every item of the array carries the fields (Graph's `value[].clientState`).
    const items = (event as Record<string, unknown>)[spec.json];
    if (!Array.isArray(items) || items.length === 0) {
      throw new WebhookError(
        "invalid_payload",
        `hookgate: a ${name} body has a non-empty ${spec.json} array; the signature is written into each item`,
      );
    }
    for (const item of items) if (item !== null && typeof item === "object") Object.assign(item, fields);
    return JSON.stringify(event);
  }
  const rest = { ...(event as Record<string, unknown>) };
  const written = spec.json ? { [spec.json]: fields } : fields;
  const replaced = Object.keys(written).some((field) => Object.hasOwn(rest, field));
  for (const field of Object.keys(written)) delete rest[field];
  // The event's own bytes are kept where they can be: the signature goes in front of them.
  if (!replaced && Object.keys(rest).length > 0) {
    return `${JSON.stringify(written).slice(0, -1)},${text.trimStart().slice(1)}`;
  }
  return JSON.stringify({ ...written, ...rest });
}
