import { bodyConsumed, readBody } from "../internal/read-body.js";
import type { Settings } from "./options.js";
import type { HandleInput } from "./types.js";

/**
 * The one raw-body rule, for every adapter: the exact bytes the sender signed, read within
 * `maxBodyBytes` (413) and `bodyTimeoutMs` (408) — or, where something consumed them first, a 500
 * that names what did and how to fix the set-up.
 */
export function readRequestBody(settings: Settings, input: HandleInput): Promise<Uint8Array> {
  if (input.bodyConsumedBy) return Promise.reject(bodyConsumed(input.bodyConsumedBy));
  return readBody(input.rawBody, settings.maxBodyBytes, settings.bodyTimeoutMs) as Promise<Uint8Array>;
}
