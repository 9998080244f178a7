import { memoryStore } from "@hookgate/core";
import { bench, describe } from "vitest";

// memoryStore claim + complete below capacity and at capacity (every claim evicts the oldest
// completed key). Eviction is O(1) amortised, so the two rows should be within ~2× of each other.
// Run: pnpm vitest bench --run bench/store.bench.ts
const lock = { lockMs: 30_000, ttlMs: 3_600_000 };
const CAPACITY = 100_000;

function filled(count: number) {
  const store = memoryStore({ maxKeys: CAPACITY });
  let n = 0;
  const fill = async () => {
    for (let i = 0; i < count; i++) {
      const claim = await store.claim(`fill:${i}`, lock);
      if (claim.status === "claimed") await store.complete(`fill:${i}`, claim.token, lock);
    }
  };
  return {
    fill,
    async step() {
      const key = `k:${n++}`;
      const claim = await store.claim(key, lock);
      if (claim.status === "claimed") await store.complete(key, claim.token, lock);
    },
  };
}

describe("memoryStore claim + complete (100k maxKeys)", () => {
  const below = filled(10_000);
  const full = filled(CAPACITY);
  bench("below capacity (10k keys held)", () => below.step(), {
    setup: () => below.fill(),
    iterations: 20_000,
  });
  bench("at capacity (100k keys held, each claim evicts)", () => full.step(), {
    setup: () => full.fill(),
    iterations: 20_000,
  });
});
