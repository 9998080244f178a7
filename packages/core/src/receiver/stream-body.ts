import { getFirstHeader } from "../internal/headers.js";
import { requestMethod } from "../internal/method.js";
import type { BodyStream } from "../scheme/stream-verify.js";
import { checkShape } from "./guards.js";
import type { Settings } from "./options.js";
import type { HandleInput } from "./types.js";

/**
 * A body declared shorter than this is hashed whole by `verify`: it usually arrives with its
 * headers, and a second pass over them would cost more than it saves.
 */
export const STREAM_FROM_BYTES = 64 * 1024;

const CONTENT_LENGTH = ["content-length"] as const;

/**
 * Starts hashing a request's body as it arrives (`scheme/stream-verify.ts`), or undefined: with
 * `streamVerify` off, a scheme `defineScheme` did not build, for bytes already read, a body declared under {@link STREAM_FROM_BYTES}, a
 * request the shape stage refuses (405, 415), a scheme that cannot stream, or a request its
 * verify refuses from the head alone. Nothing is refused here: every answer stays where it was.
 */
export function startBodyStream(
  settings: Settings,
  input: HandleInput,
  contentType: string | undefined,
  now: Date,
): BodyStream | undefined {
  const { rawBody } = input;
  if (!settings.streamVerify || input.bodyConsumedBy) return undefined;
  if (rawBody instanceof Uint8Array || typeof rawBody === "string" || rawBody instanceof ArrayBuffer)
    return undefined;
  const declared = getFirstHeader(input.headers, CONTENT_LENGTH);
  if (declared !== undefined && !(Number(declared) >= STREAM_FROM_BYTES)) return undefined;
  const method = requestMethod(input.method);
  try {
    checkShape(settings, method, contentType);
  } catch {
    return undefined;
  }
  return settings.engine?.startStream?.(
    { headers: input.headers, url: input.url, method, params: input.params },
    { tolerance: settings.tolerance, now },
  );
}
