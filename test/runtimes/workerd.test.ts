import { fileURLToPath } from "node:url";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundleForRuntime } from "./bundle.js";
import type { Result } from "./suite.js";
import { describeWorkerd, startWorkerd } from "./workerd.js";

const entry = fileURLToPath(new URL("./workerd-entry.ts", import.meta.url));

// Without flags workerd has no `process`: hookgate runs on Web Crypto. With nodejs_compat and a
// compatibility date from 2024-09-23 (nodejs_compat_v2), process.getBuiltinModule gives node:crypto.
const variants = [
  { name: "without nodejs_compat", flags: [] as string[], crypto: "web-crypto" },
  { name: "with nodejs_compat", flags: ["nodejs_compat"], crypto: "node:crypto" },
];

for (const variant of variants) {
  describeWorkerd(`runtime suite in workerd, ${variant.name}`, () => {
    let mf: Miniflare;
    let results: Result[];
    beforeAll(async () => {
      const script = await bundleForRuntime(entry);
      mf = startWorkerd({ modules: true, script, compatibilityFlags: variant.flags });
      results = (await (await mf.dispatchFetch("http://localhost/")).json()) as Result[];
    }, 120_000);
    afterAll(() => mf?.dispose());

    it(`uses ${variant.crypto}`, () => {
      expect(results[0]).toEqual({ name: "crypto path", ok: true, detail: variant.crypto });
    });

    it("passes every case: each scheme signed and verified, dedupe, fetch, Hono, handshake, batch", () => {
      const failed = results.filter((result) => !result.ok);
      expect(failed).toEqual([]);
      // Every scheme one secret configures ran (over 40), plus the receiver cases.
      expect(results.filter((result) => result.name.startsWith("scheme ")).length).toBeGreaterThan(40);
      expect(results.map((result) => result.name)).toContain("hono: webhookHandler");
    });
  });
}
