import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { forceWebRuntime } from "../runtime.js";
import { type Chunk, sha256 } from "./shared.js";

afterEach(() => forceWebRuntime(false));

/** SHA-256 of the chunks as node:crypto's `Hash` computes it, fed one chunk at a time. */
function reference(chunks: readonly Chunk[]): string {
  const hash = createHash("sha256");
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest("hex");
}

describe("sha256", () => {
  // Text in more than one byte per character, and bodies small and large.
  const body = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
  const inputs: Chunk[][] = [
    [],
    [""],
    [body(0)],
    ["hookgate content id v2\n", "1733400000000", "\n", body(1024)],
    ["é日😀\n", body(4096)],
    ["x".repeat(5000)],
    [body(100), "\u00ff", body(65_536)],
  ];

  for (const web of [false, true]) {
    it(`is the SHA-256 of the chunks in order${web ? " (Web runtime)" : ""}`, async () => {
      forceWebRuntime(web);
      for (const chunks of inputs) {
        const digest = sha256(chunks);
        // Synchronous where node:crypto is present; a promise on Web Crypto.
        expect(digest instanceof Promise).toBe(web);
        expect(Buffer.from(await digest).toString("hex")).toBe(reference(chunks));
      }
    });
  }
});
