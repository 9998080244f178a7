import { bodyConsumed, type ChunkSink, readBody, readBytes } from "../internal/read-body.js";
import type { Settings } from "./options.js";
import type { HandleInput } from "./types.js";

/**
 * The one raw-body rule, for every adapter: the exact bytes the sender signed, read within
 * `maxBodyBytes` (413) and `bodyTimeoutMs` (408) — or, where something consumed them first, a 500
 * that names what did and how to fix the set-up. `onChunk` takes each accepted chunk as it is read
 * (streaming verification, `receiver/stream-body.ts`). A body already in memory is answered at
 * once (its refusal thrown); a stream or a reader, with a promise.
 */
export function readRequestBody(
  settings: Settings,
  input: HandleInput,
  onChunk?: ChunkSink,
): Uint8Array | Promise<Uint8Array> {
  if (input.bodyConsumedBy) return Promise.reject(bodyConsumed(input.bodyConsumedBy));
  const bytes = readBytes(input.rawBody, settings.maxBodyBytes, onChunk);
  if (bytes) return bytes;
  return readBody(
    input.rawBody,
    settings.maxBodyBytes,
    settings.bodyTimeoutMs,
    onChunk,
  ) as Promise<Uint8Array>;
}
