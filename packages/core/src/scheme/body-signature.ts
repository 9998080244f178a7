import { WebhookError } from "../errors.js";
import { decodeUtf8, fromBase64, fromHex } from "../internal/bytes.js";
import { SIGNATURE_BYTES } from "../internal/crypto.js";
import type { BodySignatureSpec } from "./definition.js";
import type { Candidate } from "./signature-headers.js";
import { getPath } from "./value-sources.js";

/** Longest value of a signed body field: every sender's tokens and timestamps are far shorter. */
const MAX_FIELD_LENGTH = 256;

/** What a body-carried signature's fields hold, read from the parsed body. */
export interface BodySignatureRead {
  /** The body, parsed once: the payload the delivery carries. */
  payload: unknown;
  candidates: Candidate[];
  /** The signed fields, by name. */
  fields: Record<string, string>;
}

/**
 * Reads a signature carried in the body (see {@link BodySignatureSpec}), compiled once per scheme:
 * the body is parsed the way the scheme parses it (bounded, and by its bytes, never the
 * unsigned Content-Type), and its signature fields found where the spec says — the top level of
 * a form, the object at `json` in a JSON body.
 */
export function compileBodySignatureReader(
  spec: BodySignatureSpec,
  name: string,
  parse: (text: string) => { payload: unknown; form: boolean },
): (body: Uint8Array) => BodySignatureRead {
  const where = spec.json ? `${spec.json}.` : "";
  const names = [...spec.fields, spec.signature];
  return (body) => {
    const text = decodeUtf8(body);
    if (text === undefined)
      throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
    const { payload, form } = parse(text);
    const container = form || !spec.json ? payload : getPath(payload, spec.json);
    const values: Record<string, string> = {};
    for (const field of names) {
      const value = (container as Record<string, unknown> | undefined)?.[field];
      if (typeof value !== "string" || container === null || !Object.hasOwn(container as object, field)) {
        throw new WebhookError(
          "missing_signature",
          `hookgate: the body carries no ${name} signature (${names.map((n) => where + n).join(", ")})`,
        );
      }
      values[field] = value;
    }
    const signature = values[spec.signature]!;
    const bytes = spec.encoding === "hex" ? fromHex(signature) : fromBase64(signature);
    const length = SIGNATURE_BYTES[spec.algorithm];
    if (bytes?.length !== length || spec.fields.some((field) => values[field]!.length > MAX_FIELD_LENGTH)) {
      throw new WebhookError(
        "malformed_signature",
        `hookgate: the ${name} signature is not ${spec.encoding === "hex" ? `${length * 2} hex characters` : `base64 of ${length} bytes`}`,
      );
    }
    delete values[spec.signature];
    return { payload, candidates: [{ spec, bytes }], fields: values };
  };
}
