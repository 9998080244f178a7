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
 * How many bytes `text` takes in UTF-8, as `TextEncoder` writes it (a lone surrogate becomes
 * U+FFFD, three bytes), without encoding it.
 */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) length += 1;
    else {
      length += 2;
      // A surrogate pair: two UTF-16 units, four bytes.
      if (code >= 0xd800 && code <= 0xdbff) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
    }
  }
  return length;
}

/**
 * The body as UTF-8 text, or undefined when the bytes are not valid UTF-8.
 * Where Node's Buffer is present: decode with `toString`, which turns every invalid sequence into
 * U+FFFD; text without U+FFFD was therefore valid, and only text with one (a replacement, or a
 * U+FFFD the sender wrote) pays for the simdutf-backed `isUtf8` check. Finding no U+FFFD in
 * Latin-1 text costs nothing (V8 stores it one byte per character, where U+FFFD cannot occur).
 * Several times faster than a fatal TextDecoder on large bodies.
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  const nodeBuffer = runtime.buffer;
  if (nodeBuffer?.isUtf8) {
    const text = asNodeBuffer(nodeBuffer.Buffer, bytes).toString("utf8");
    return text.indexOf("\ufffd") < 0 || nodeBuffer.isUtf8(bytes) ? text : undefined;
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

/** The value of each hex digit's character code (0-9 a-f A-F), -1 for every other code below 128. */
const HEX_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUES["0123456789abcdef".charCodeAt(i)] = i;
  HEX_VALUES["0123456789ABCDEF".charCodeAt(i)] = i;
}

/** The value of each character code of the standard base64 alphabet, -1 for every other code below 128. */
const BASE64_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++)
  BASE64_VALUES["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;

/**
 * `length` bytes to be filled at once. On Node, a Buffer from its pool: node:crypto reads it in
 * place, where a small `new Uint8Array` lives on the JS heap and is copied out on every native call.
 */
function allocate(length: number): Uint8Array {
  const NodeBuffer = runtime.buffer?.Buffer;
  return NodeBuffer ? NodeBuffer.allocUnsafe(length) : new Uint8Array(length);
}

function digitValue(table: Int8Array, code: number): number {
  return code < 128 ? table[code]! : -1;
}

/**
 * Bytes of a hex string, or undefined if it is not hex of even length. One pass that checks and
 * decodes: signatures are decoded on every request, and short ones faster here than through Buffer.
 */
export function fromHex(text: string, start = 0, end = text.length): Uint8Array | undefined {
  if ((end - start) % 2 !== 0) return undefined;
  const out = allocate((end - start) >> 1);
  for (let i = start, j = 0; j < out.length; i += 2, j++) {
    const high = digitValue(HEX_VALUES, text.charCodeAt(i));
    const low = digitValue(HEX_VALUES, text.charCodeAt(i + 1));
    if ((high | low) < 0) return undefined;
    out[j] = (high << 4) | low;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  const NodeBuffer = runtime.buffer?.Buffer;
  if (NodeBuffer) return asNodeBuffer(NodeBuffer, bytes).toString("hex");
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/**
 * Bytes of standard (RFC 4648 §4) base64, padded or not; undefined for any other alphabet, for
 * padding that does not complete the last group (`xx==`, `xxx=`), or for a lone character in it.
 * One pass that checks and decodes, as {@link fromHex}; `start` and `end` pick a range of `text`
 * (a signature inside its header), so no substring is made.
 */
export function fromBase64(text: string, start = 0, end = text.length): Uint8Array | undefined {
  let padding = 0;
  while (padding < 2 && end > start && text.charCodeAt(end - 1) === 61) {
    end--;
    padding++;
  }
  const rest = (end - start) % 4;
  if (padding === 0 ? rest === 1 : rest !== 4 - padding) return undefined;
  const out = allocate(((end - start) * 3) >> 2);
  let at = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const a = digitValue(BASE64_VALUES, text.charCodeAt(i));
    const b = digitValue(BASE64_VALUES, text.charCodeAt(i + 1));
    const c = digitValue(BASE64_VALUES, text.charCodeAt(i + 2));
    const d = digitValue(BASE64_VALUES, text.charCodeAt(i + 3));
    if ((a | b | c | d) < 0) return undefined;
    out[at++] = (a << 2) | (b >> 4);
    out[at++] = ((b & 15) << 4) | (c >> 2);
    out[at++] = ((c & 3) << 6) | d;
  }
  if (rest >= 2) {
    const a = digitValue(BASE64_VALUES, text.charCodeAt(i));
    const b = digitValue(BASE64_VALUES, text.charCodeAt(i + 1));
    const c = rest === 3 ? digitValue(BASE64_VALUES, text.charCodeAt(i + 2)) : 0;
    if ((a | b | c) < 0) return undefined;
    out[at++] = (a << 2) | (b >> 4);
    if (rest === 3) out[at] = ((b & 15) << 4) | (c >> 2);
  }
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  const NodeBuffer = runtime.buffer?.Buffer;
  if (NodeBuffer) return asNodeBuffer(NodeBuffer, bytes).toString("base64");
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Unpadded base64url (RFC 4648 §5): Node's own encoding where it has one, else base64 rewritten. */
export function toBase64Url(bytes: Uint8Array): string {
  const NodeBuffer = runtime.buffer?.Buffer;
  if (NodeBuffer) return asNodeBuffer(NodeBuffer, bytes).toString("base64url");
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array | undefined {
  return fromBase64(text.replace(/-/g, "+").replace(/_/g, "/"));
}
