import { WebhookError } from "../errors.js";
import { concatBytes, utf8 } from "./bytes.js";

/** A body as adapters hand it over: bytes already read, or a stream still to read. */
export type BodySource =
  | Uint8Array
  | string
  | ArrayBuffer
  | AsyncIterable<Uint8Array | string>
  | ReadableStream<Uint8Array>;

function tooLarge(maxBodyBytes: number): WebhookError {
  return new WebhookError(
    "body_too_large",
    `hookgate: the body is larger than maxBodyBytes (${maxBodyBytes} bytes)`,
  );
}

/**
 * Reads a body to bytes, stopping as soon as it passes `maxBodyBytes` (so an oversized body
 * is neither buffered nor hashed). Reads Node streams (any async iterable) and Web streams,
 * so every adapter shares one reader and one 413 rule.
 */
export async function readBody(
  source: BodySource | unknown,
  maxBodyBytes: number,
): Promise<Uint8Array | unknown> {
  if (source instanceof Uint8Array || typeof source === "string" || source instanceof ArrayBuffer) {
    const bytes =
      typeof source === "string"
        ? utf8(source)
        : source instanceof ArrayBuffer
          ? new Uint8Array(source)
          : source;
    if (bytes.byteLength > maxBodyBytes) throw tooLarge(maxBodyBytes);
    return bytes;
  }
  if (source === null || source === undefined) return new Uint8Array(0);
  const iterable = toAsyncIterable(source);
  // Anything else (a parsed object) goes on to verification, which explains the mistake.
  if (!iterable) return source;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of iterable) {
    const bytes = typeof chunk === "string" ? utf8(chunk) : chunk;
    size += bytes.byteLength;
    if (size > maxBodyBytes) throw tooLarge(maxBodyBytes);
    chunks.push(bytes);
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
}

function toAsyncIterable(source: unknown): AsyncIterable<Uint8Array | string> | undefined {
  if (typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
    return source as AsyncIterable<Uint8Array | string>;
  }
  if (typeof (source as ReadableStream).getReader === "function") {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    return {
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            yield value;
          }
        } finally {
          // Stop the sender's stream when we stop reading (oversized body).
          reader.cancel().catch(() => {});
        }
      },
    };
  }
  return undefined;
}
