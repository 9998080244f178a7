import type { BodySource } from "@hookgate/core/kit";

/** Most bytes read from a Node request for the dashboard: its forms are small. */
const MAX_BYTES = 64 * 1024;

function toBytes(chunk: Uint8Array | string | ArrayBuffer): Uint8Array {
  if (typeof chunk === "string") return new TextEncoder().encode(chunk);
  return chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
}

/**
 * The bytes of a body as the Node bridge hands it over, up to a bound (a larger body is cut, and
 * the form then fails to parse as the dashboard's).
 */
export async function readBodySource(source: BodySource): Promise<Uint8Array> {
  if (typeof source === "function") return toBytes(await source());
  if (typeof source === "string" || source instanceof Uint8Array || source instanceof ArrayBuffer)
    return toBytes(source);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const iterable = source as AsyncIterable<Uint8Array | string>;
  for await (const chunk of iterable) {
    const bytes = toBytes(chunk);
    chunks.push(bytes);
    size += bytes.byteLength;
    if (size > MAX_BYTES) break;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
