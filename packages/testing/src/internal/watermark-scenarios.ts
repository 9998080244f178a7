import type { IdempotencyStore } from "@hookgate/core";

/** A scenario, as `storeConformance` returns them. */
interface StoreScenario {
  name: string;
  run: () => Promise<void>;
}

class ConformanceError extends Error {
  override name = "StoreConformanceError";
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceError(`hookgate store conformance: ${message}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Watermarks = Required<Pick<IdempotencyStore, "watermark" | "advance">>;

async function withWatermarks(makeStore: () => IdempotencyStore | Promise<IdempotencyStore>) {
  const store = await makeStore();
  check(
    typeof store.watermark === "function" && typeof store.advance === "function",
    "the store has no watermark() and advance(), which a receiver's `ordering` needs (pass { ordering: false } to storeConformance for a store that does not offer it)",
  );
  return store as IdempotencyStore & Watermarks;
}

/**
 * The watermark scenarios of `storeConformance`: a per-resource time that only moves forward, in
 * one atomic compare-and-advance, and is forgotten `ttlMs` after it last moved.
 */
export function watermarkScenarios(
  makeStore: () => IdempotencyStore | Promise<IdempotencyStore>,
  key: (name: string) => string,
  concurrency: number,
  short: number,
): StoreScenario[] {
  const keep = { ttlMs: 60_000 };
  const T = 1_700_000_000_000;
  return [
    {
      name: "watermark: none at first; advance moves it forward, an equal time advances too",
      async run() {
        const store = await withWatermarks(makeStore);
        const k = key("wm-forward");
        check((await store.watermark(k)) === undefined, "a resource never advanced has no watermark");
        check((await store.advance(k, T, keep)) === true, "the first advance returns true");
        check((await store.watermark(k)) === T, "the watermark is the advanced time");
        check((await store.advance(k, T + 1000, keep)) === true, "a newer time advances");
        check((await store.advance(k, T + 1000, keep)) === true, "the same time advances (equal time runs)");
        check((await store.watermark(k)) === T + 1000, "the watermark is the newest time");
      },
    },
    {
      name: "watermark: an older time is stale: advance returns false and the watermark stays",
      async run() {
        const store = await withWatermarks(makeStore);
        const k = key("wm-stale");
        await store.advance(k, T + 2000, keep);
        check((await store.advance(k, T + 1999, keep)) === false, "an older advance returns false");
        check((await store.watermark(k)) === T + 2000, "the watermark never goes back");
      },
    },
    {
      name: `watermark: ${concurrency} concurrent advances from several handles end at the newest`,
      async run() {
        const stores = await Promise.all(
          Array.from({ length: Math.min(concurrency, 8) }, () => withWatermarks(makeStore)),
        );
        const k = key("wm-race");
        // Times in an order that is neither ascending nor descending.
        const times = Array.from({ length: concurrency }, (_, i) => T + ((i * 7919) % concurrency) * 1000);
        const newest = Math.max(...times);
        const results = await Promise.all(
          times.map((at, i) => stores[i % stores.length]!.advance(k, at, keep)),
        );
        check((await stores[0]!.watermark(k)) === newest, "the watermark is the newest time advanced");
        check(
          results.every((moved, i) => moved || times[i]! < newest),
          "the newest time's advance returns true",
        );
        check(
          (await stores[1 % stores.length]!.advance(k, newest - 1, keep)) === false,
          "after the race, an older time is stale",
        );
      },
    },
    {
      name: "watermark: forgotten ttlMs after it last moved; a stale advance does not renew it",
      async run() {
        const store = await withWatermarks(makeStore);
        const k = key("wm-ttl");
        await store.advance(k, T + 5000, { ttlMs: short });
        await store.advance(k, T, { ttlMs: 60_000 });
        await sleep(short * 2 + 100);
        check((await store.watermark(k)) === undefined, "the watermark is forgotten after ttlMs");
        check((await store.advance(k, T, keep)) === true, "after expiry any time advances");
        check((await store.watermark(k)) === T, "to that time");
      },
    },
    {
      name: "watermark: resources are independent and never meet claims or bindings of the same key",
      async run() {
        const store = await withWatermarks(makeStore);
        // What a receiver's keys differ by: namespace, tenant, resource.
        const a = key("order:billing:stripe:tenantA:sub_1");
        const b = key("order:billing:stripe:tenantB:sub_1");
        const c = key("order:stripe:tenantA:sub_1");
        await store.advance(a, T + 9000, keep);
        check((await store.watermark(b)) === undefined, "another tenant's resource has no watermark");
        check((await store.watermark(c)) === undefined, "another namespace's resource has no watermark");
        check((await store.advance(b, T, keep)) === true, "another tenant's older time advances");
        const claim = await store.claim(a, { lockMs: 10_000, ttlMs: 60_000 });
        check(claim.status === "claimed", "a watermarked key string is still unclaimed");
        check((await store.bind(a, "bound", keep)) === "bound", "and unbound");
        check((await store.watermark(a)) === T + 9000, "claims and bindings leave the watermark");
      },
    },
    {
      name: "watermark: keys may hold any characters",
      async run() {
        const store = await withWatermarks(makeStore);
        // Keys that differ only in what an escaping or an encoding could merge stay apart.
        const odd = [
          "a:b",
          "{braces}",
          "#hash",
          "quote'\"",
          "\\0",
          "\u0000",
          "\ud800",
          "\ufffd",
          "",
          "x".repeat(300),
        ];
        const keys = odd.map((name) => key(`wm-${name}`));
        for (const [i, k] of keys.entries())
          check((await store.advance(k, T + i, keep)) === true, `advance ${JSON.stringify(odd[i])}`);
        for (const [i, k] of keys.entries())
          check((await store.watermark(k)) === T + i, `the watermark of ${JSON.stringify(odd[i])}`);
      },
    },
  ];
}
