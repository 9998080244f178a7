import { describe, expect, it } from "vitest";
import { isWebhookError } from "../errors.js";
import { fromHex } from "../internal/bytes.js";
import type { SignatureSpec } from "./definition.js";
import { compileSignatureReader } from "./signature-headers.js";

// How `fields` headers were read before they were read by position: split, trim, split at the
// first "=", trim both sides. The reader must find the same timestamp and signatures.
function reference(
  value: string,
  separator: "," | ";",
): { timestamp?: string; signatures: string[] } | "two" {
  const pattern = separator === ";" && value.includes(",") ? /[;,]/ : separator;
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const piece of value.split(pattern)) {
    const field = piece.trim();
    if (!field) continue;
    const eq = field.indexOf("=");
    if (eq < 0) continue;
    const key = field.slice(0, eq).trim();
    const text = field.slice(eq + 1).trim();
    if (key === "t") {
      if (timestamp !== undefined && timestamp !== text) return "two";
      timestamp = text;
    } else if (key === "v1") signatures.push(text);
  }
  return timestamp === undefined ? { signatures } : { timestamp, signatures };
}

function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("fields signature headers", () => {
  const signature = "ab".repeat(32);
  const pieces = [
    "t",
    "v1",
    "v0",
    "=",
    ",",
    ";",
    " ",
    "\t",
    "\u00a0",
    "\u2028",
    "\ufeff",
    "12",
    signature,
    "x",
  ];
  for (const separator of [",", ";"] as const) {
    it(`reads what splitting on "${separator}" and trimming read (random headers)`, () => {
      const spec: SignatureSpec = {
        header: "x-signature",
        format: { type: "fields", separator, timestamp: "t", signature: "v1" },
        algorithm: "sha256",
        encoding: "hex",
      };
      const read = compileSignatureReader([spec]);
      const next = random(separator === "," ? 11 : 12);
      for (let n = 0; n < 3000; n++) {
        let value = "";
        const count = Math.floor(next() * 14);
        for (let i = 0; i < count; i++) value += pieces[Math.floor(next() * pieces.length)];
        const expected = reference(value, separator);
        let actual: { timestamp?: string; signatures: string[] } | "two";
        try {
          const result = read({ "x-signature": value });
          const signatures = result.candidates.map((c) =>
            c.bytes ? Buffer.from(c.bytes).toString("hex") : "-",
          );
          actual =
            result.fieldTimestamp === undefined
              ? { signatures }
              : { timestamp: result.fieldTimestamp, signatures };
        } catch (error) {
          if (!isWebhookError(error) || error.code !== "malformed_timestamp") throw error;
          actual = "two";
        }
        const wanted =
          expected === "two"
            ? "two"
            : {
                ...expected,
                signatures: expected.signatures.map((text) => {
                  const bytes = fromHex(text);
                  return bytes?.length === 32 ? Buffer.from(bytes).toString("hex") : "-";
                }),
              };
        expect(actual, JSON.stringify(value)).toEqual(wanted);
      }
    });
  }
});

describe("plain signature headers with an Authorization scheme prefix", () => {
  const spec = (prefixAnyCase?: boolean): SignatureSpec => ({
    header: "authorization",
    format: { type: "plain", prefix: "Bearer ", ...(prefixAnyCase ? { prefixAnyCase } : {}) },
    algorithm: "token",
    encoding: "text",
  });
  const read = (value: string, prefixAnyCase?: boolean) =>
    compileSignatureReader([spec(prefixAnyCase)])({ authorization: value }).candidates.map((c) =>
      c.bytes ? new TextDecoder().decode(c.bytes) : undefined,
    );

  it("matches the prefix in any case only when asked to (a scheme name is case-insensitive)", () => {
    expect(read("bearer tok-1", true)).toEqual(["tok-1"]);
    expect(read("BEARER tok-1", true)).toEqual(["tok-1"]);
    expect(read("Bearer tok-1", true)).toEqual(["tok-1"]);
    expect(read("bearer tok-1")).toEqual([]);
    expect(read("Basic tok-1", true)).toEqual([]);
    expect(read("Bearer", true)).toEqual([]);
  });
});
