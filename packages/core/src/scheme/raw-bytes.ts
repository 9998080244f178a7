import { WebhookError } from "../errors.js";
import { utf8 } from "../internal/bytes.js";
import type { RawBody } from "../types.js";

/** The body as bytes; refuses a parsed object with a message that names the usual cause. */
export function toRawBytes(rawBody: RawBody | unknown): Uint8Array {
  if (rawBody instanceof Uint8Array) return rawBody;
  if (typeof rawBody === "string") return utf8(rawBody);
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  const got =
    rawBody === null
      ? "null"
      : rawBody === undefined
        ? "undefined"
        : Array.isArray(rawBody)
          ? "an array"
          : typeof rawBody === "object"
            ? "an object"
            : `a ${typeof rawBody}`;
  throw new WebhookError(
    "raw_body_required",
    `hookgate: rawBody must be the exact bytes received (Uint8Array/Buffer or string), but got ${got}. ` +
      (typeof rawBody === "object" && rawBody !== null
        ? "A body parser (express.json(), koa-bodyparser, Next.js's API body parser…) already turned it into an object, and the exact bytes cannot be recovered; mount the webhook route before the parser, or pass the raw bytes (express.raw({ type: '*/*' }), `await request.arrayBuffer()`)."
        : "Read the request body as bytes before verifying it."),
  );
}
