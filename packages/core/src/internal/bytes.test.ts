import { isUtf8 } from "node:buffer";
import { afterEach, describe, expect, it } from "vitest";
import { decodeUtf8, fromBase64, fromHex, toBase64Url, utf8Length } from "./bytes.js";
import { forceWebRuntime } from "./runtime.js";

// The rules the one-pass decoders replace, written the obvious way: a regular expression, then Buffer.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const referenceBase64 = (text: string) => (BASE64.test(text) ? Buffer.from(text, "base64") : undefined);
const referenceHex = (text: string) => (HEX.test(text) ? Buffer.from(text, "hex") : undefined);

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function strings(alphabet: string, count: number, seed: number): string[] {
  const next = random(seed);
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    let text = "";
    const length = Math.floor(next() * 50);
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
    out.push(text);
  }
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

afterEach(() => forceWebRuntime(false));

describe("fromBase64", () => {
  const cases = [
    "",
    "=",
    "==",
    "A",
    "AA",
    "AA=",
    "AA==",
    "AAA=",
    "AAA==",
    "AAAA===",
    "AAAA",
    "AB-_",
    "QUJD\n",
    "QUJD é",
    "QUJ\u0141",
    ...strings(`${B64}==`, 400, 1),
    ...strings(`${B64}=-_ .\u00e9\u0141`, 400, 2),
    ...Array.from({ length: 70 }, (_, n) => Buffer.from(strings(B64, n + 1, 3).join("")).toString("base64")),
  ];
  for (const web of [false, true]) {
    it(`accepts and decodes exactly what the regular expression + Buffer did${web ? " (Web runtime)" : ""}`, () => {
      forceWebRuntime(web);
      for (const text of cases) {
        const expected = referenceBase64(text)?.toString("hex");
        const actual = fromBase64(text);
        expect(actual === undefined ? undefined : Buffer.from(actual).toString("hex"), text).toBe(expected);
        // The same text inside a longer string, as a signature inside its header.
        const inside = fromBase64(`v1,${text}==`, 3, text.length + 3);
        expect(inside === undefined ? undefined : Buffer.from(inside).toString("hex"), text).toBe(expected);
      }
    });
  }
});

describe("fromHex", () => {
  const cases = [
    "",
    "0",
    "00",
    "0g",
    "g0",
    "aBcD",
    "abc",
    " 00",
    "\u00e900",
    ...strings("0123456789abcdefABCDEFgx", 400, 4),
  ];
  for (const web of [false, true]) {
    it(`accepts and decodes exactly what the regular expression + Buffer did${web ? " (Web runtime)" : ""}`, () => {
      forceWebRuntime(web);
      for (const text of cases) {
        const expected = referenceHex(text)?.toString("hex");
        const actual = fromHex(text);
        expect(actual === undefined ? undefined : Buffer.from(actual).toString("hex"), text).toBe(expected);
        const inside = fromHex(`sha256=${text}0`, 7, text.length + 7);
        expect(inside === undefined ? undefined : Buffer.from(inside).toString("hex"), text).toBe(expected);
      }
    });
  }
});

describe("decodeUtf8", () => {
  const next = random(5);
  const samples: Uint8Array[] = [
    Buffer.from("plain ASCII"),
    Buffer.from("\ufeff{} with a BOM"),
    Buffer.from("a U+FFFD the sender wrote: \ufffd"),
    Buffer.from("two-byte text: \u0141\u4e2d\ud83d\ude00"),
    new Uint8Array([0xff]),
    new Uint8Array([0xc0, 0x80]),
    new Uint8Array([0xed, 0xa0, 0x80]),
    new Uint8Array([0xe4, 0xb8]),
    new Uint8Array([0x61, 0xef, 0xbf, 0xbd, 0x80]),
    // Random bytes, mostly invalid, and random valid text.
    ...Array.from({ length: 300 }, () =>
      Uint8Array.from({ length: Math.floor(next() * 12) }, () => Math.floor(next() * 256)),
    ),
    ...Array.from({ length: 100 }, () =>
      Buffer.from(String.fromCodePoint(...Array.from({ length: 8 }, () => Math.floor(next() * 0xd7ff)))),
    ),
  ];
  for (const web of [false, true]) {
    it(`is the text of valid UTF-8 and undefined for anything else${web ? " (Web runtime)" : ""}`, () => {
      forceWebRuntime(web);
      for (const bytes of samples) {
        const expected = isUtf8(bytes) ? Buffer.from(bytes).toString("utf8") : undefined;
        expect(decodeUtf8(bytes), Buffer.from(bytes).toString("hex")).toBe(expected);
      }
    });
  }
});

describe("utf8Length", () => {
  it("counts the bytes TextEncoder writes, lone surrogates as U+FFFD", () => {
    const samples = [
      "",
      "abc",
      "é",
      "€",
      "😀",
      "a😀b",
      "\ud800",
      "\udc00",
      "\ud800x",
      "x\ud83d",
      "\udc00\ud800",
      "日本語",
      '{"id":"ü"}',
    ];
    for (const text of samples)
      expect(utf8Length(text), JSON.stringify(text)).toBe(new TextEncoder().encode(text).byteLength);
  });
});

describe("toBase64Url", () => {
  it("is unpadded RFC 4648 §5 base64url on Node and on the Web runtime alike, at every length", () => {
    const next = random(4);
    for (let length = 0; length <= 70; length++) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(next() * 256));
      // Every 6-bit value occurs: `+` and `/` become `-` and `_`; no `=`.
      const expected = Buffer.from(bytes)
        .toString("base64")
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, "");
      forceWebRuntime(false);
      expect(toBase64Url(bytes)).toBe(expected);
      forceWebRuntime(true);
      expect(toBase64Url(bytes)).toBe(expected);
    }
    forceWebRuntime(false);
    // A view into a larger buffer encodes its own bytes only.
    expect(toBase64Url(new Uint8Array([0, 0xfb, 0xff, 0xbf, 0]).subarray(1, 4))).toBe("-_-_");
  });
});
