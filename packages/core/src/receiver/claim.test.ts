import { afterEach, describe, expect, it } from "vitest";
import { forceWebRuntime } from "../internal/runtime.js";
import { schemes } from "../schemes/index.js";
import { memoryStore } from "../store/memory-store.js";
import { escapePart } from "./claim.js";
import { createReceiver } from "./create-receiver.js";

afterEach(() => forceWebRuntime(false));

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

describe("the content id of a delivery whose id header is unsigned", () => {
  // Processes on Node and on an edge runtime can share one store: both must name a delivery alike.
  for (const size of [1024, 16 * 1024]) {
    it(`is the same on node:crypto and on Web Crypto, so a replay to either is a duplicate (${size} bytes)`, async () => {
      const store = memoryStore();
      const github = schemes.github({ secret: "gh_content_id" });
      const receiver = () => createReceiver({ scheme: github, store }).onAny(() => {});
      const rawBody = JSON.stringify({ action: "opened", filler: "x".repeat(size) });
      const headers = await github.sign({ rawBody, id: "d-1", type: "issues" });
      const send = (id: string) =>
        receiver().handle({
          method: "POST",
          url: "https://example.com/webhooks",
          headers: { ...headers, "x-github-delivery": id, "content-type": "application/json" },
          rawBody,
        });
      expect((await send("d-1")).outcome).toBe("handled");
      forceWebRuntime(true);
      expect((await send("d-2")).outcome).toBe("duplicate");
      forceWebRuntime(false);
      expect((await send("d-3")).outcome).toBe("duplicate");
      // Another body is another delivery.
      const other = JSON.stringify({ action: "closed", filler: "x".repeat(size) });
      const otherHeaders = await github.sign({ rawBody: other, id: "d-4", type: "issues" });
      const result = await receiver().handle({
        method: "POST",
        url: "https://example.com/webhooks",
        headers: { ...otherHeaders, "content-type": "application/json" },
        rawBody: other,
      });
      expect(result.outcome).toBe("handled");
    });
  }
});
