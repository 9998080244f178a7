import { describe, expect, it } from "vitest";
import { escapePart } from "./claim.js";

describe("escapePart", () => {
  it("is encodeURIComponent for every ASCII character, non-ASCII text and lone surrogates", () => {
    const ascii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
    for (const char of ascii) expect(escapePart(`id${char}x`)).toBe(encodeURIComponent(`id${char}x`));
    for (const text of ["", "msg_2Z1a-b.c~d*e'f(g)!", "a:b", "a%3Ab", "ü", "日本", "😀", "a b/c?d#e&f=g"])
      expect(escapePart(text)).toBe(encodeURIComponent(text));
    expect(() => escapePart("\ud800")).toThrow(URIError);
  });

  it("keeps a part that needs no escaping as it is, so ids with ':' still cannot pose as another part", () => {
    expect(escapePart("evt_123")).toBe("evt_123");
    expect(escapePart("tenant:evt")).toBe("tenant%3Aevt");
  });
});
