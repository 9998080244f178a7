import { runtime } from "./runtime.js";

const encoder = new TextEncoder();
// Both keep a leading BOM as U+FEFF, as Node's Buffer#toString does: one behaviour on every runtime.
const lenientDecoder = new TextDecoder("utf-8", { ignoreBOM: true });
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * The body as UTF-8 text, or undefined when the bytes are not valid UTF-8.
 * Uses Node's simdutf-backed `isUtf8` + `toString` where present: several times faster
 * than a fatal TextDecoder on large bodies.
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  const nodeBuffer = runtime.buffer;
  if (nodeBuffer?.isUtf8) {
    if (!nodeBuffer.isUtf8(bytes)) return undefined;
    return asNodeBuffer(nodeBuffer.Buffer, bytes).toString("utf8");
  }
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** UTF-8 text of bytes, replacing invalid sequences. */
export function toText(bytes: Uint8Array): string {
  const NodeBuffer = runtime.buffer?.Buffer;
  return NodeBuffer ? asNodeBuffer(NodeBuffer, bytes).toString("utf8") : lenientDecoder.decode(bytes);
}

function asNodeBuffer(NodeBuffer: typeof import("node:buffer").Buffer, bytes: Uint8Array) {
  // A view, not a copy.
  return NodeBuffer.isBuffer(bytes)
    ? bytes
    : NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/** Bytes of a hex string, or undefined if it is not hex of even length. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) return undefined;
  const NodeBuffer = runtime.buffer?.Buffer;
  if (NodeBuffer) {
    // Node stops decoding at the first non-hex pair, so a short result means a bad alphabet.
    const bytes = NodeBuffer.from(text, "hex");
    return bytes.length * 2 === text.length ? bytes : undefined;
  }
  if (!HEX.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  const NodeBuffer = runtime.buffer?.Buffer;
  if (NodeBuffer) return asNodeBuffer(NodeBuffer, bytes).toString("hex");
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** Bytes of standard (RFC 4648 §4) base64, padded or not; undefined for any other alphabet. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const NodeBuffer = runtime.buffer?.Buffer;
  if (NodeBuffer) return NodeBuffer.from(text, "base64");
  const binary = atob(text.padEnd(Math.ceil(text.length / 4) * 4, "="));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  const NodeBuffer = runtime.buffer?.Buffer;
  if (NodeBuffer) return asNodeBuffer(NodeBuffer, bytes).toString("base64");
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array | undefined {
  return fromBase64(text.replace(/-/g, "+").replace(/_/g, "/"));
}
