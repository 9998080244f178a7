import type { IdempotencyStore } from "@hookgate/core";

/** One scenario of the store conformance suite: a name, and a function that throws on failure. */
export interface StoreScenario {
  name: string;
  run: () => Promise<void>;
}

/** Options for {@link storeConformance}. */
export interface StoreConformanceOptions {
  /** A fresh key prefix per scenario, so scenarios never see each other's keys. @default random */
  keyPrefix?: string;
  /** Concurrent claims in the atomicity scenario. @default 50 */
  concurrency?: number;
}

class ConformanceError extends Error {
  override name = "StoreConformanceError";
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceError(`hookgate store conformance: ${message}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The scenarios every {@link IdempotencyStore} must pass, runner-agnostic: each `run` throws on
 * failure, so any test runner can run them.
 *
 * @example
 * for (const scenario of storeConformance(() => redisStore({ client }))) it(scenario.name, scenario.run);
 */
export function storeConformance(
  makeStore: () => IdempotencyStore | Promise<IdempotencyStore>,
  options: StoreConformanceOptions = {},
): StoreScenario[] {
  const base =
    options.keyPrefix ?? `conformance:${Date.now().toString(36)}:${Math.random().toString(36).slice(2)}`;
  const concurrency = options.concurrency ?? 50;
  let counter = 0;
  const key = (name: string) => `${base}:${counter++}:${name}`;
  const lock = { lockMs: 10_000, ttlMs: 60_000 };

  return [
    {
      name: "a first claim is claimed, a second is in-flight",
      async run() {
        const store = await makeStore();
        const k = key("first");
        check((await store.claim(k, lock)) === "claimed", "first claim should be claimed");
        check((await store.claim(k, lock)) === "in-flight", "second claim of a held key should be in-flight");
      },
    },
    {
      name: "a completed key answers completed",
      async run() {
        const store = await makeStore();
        const k = key("completed");
        await store.claim(k, lock);
        await store.complete(k, { ttlMs: 60_000 });
        check((await store.claim(k, lock)) === "completed", "claim after complete should be completed");
        check((await store.claim(k, lock)) === "completed", "completed is stable");
      },
    },
    {
      name: "a released key can be claimed again",
      async run() {
        const store = await makeStore();
        const k = key("released");
        await store.claim(k, lock);
        await store.release(k);
        check((await store.claim(k, lock)) === "claimed", "claim after release should be claimed");
      },
    },
    {
      name: "an in-flight lock expires after lockMs",
      async run() {
        const store = await makeStore();
        const k = key("lock-expiry");
        check((await store.claim(k, { lockMs: 150, ttlMs: 60_000 })) === "claimed", "first claim");
        check((await store.claim(k, { lockMs: 150, ttlMs: 60_000 })) === "in-flight", "held before lockMs");
        await sleep(400);
        check((await store.claim(k, { lockMs: 150, ttlMs: 60_000 })) === "claimed", "claimable after lockMs");
      },
    },
    {
      name: "a completed key is forgotten after ttlMs",
      async run() {
        const store = await makeStore();
        const k = key("ttl-expiry");
        await store.claim(k, lock);
        await store.complete(k, { ttlMs: 150 });
        check((await store.claim(k, lock)) === "completed", "completed within ttl");
        await store.release(k);
        await store.claim(k, lock);
        await store.complete(k, { ttlMs: 150 });
        await sleep(400);
        check((await store.claim(k, lock)) === "claimed", "claimable after ttlMs");
      },
    },
    {
      name: `exactly one of ${concurrency} concurrent claims wins`,
      async run() {
        const stores = await Promise.all(Array.from({ length: Math.min(concurrency, 8) }, () => makeStore()));
        const k = key("race");
        const results = await Promise.all(
          Array.from({ length: concurrency }, (_, i) => stores[i % stores.length]!.claim(k, lock)),
        );
        const claimed = results.filter((r) => r === "claimed").length;
        check(claimed === 1, `expected exactly 1 claimed, got ${claimed}`);
        check(
          results.every((r) => r === "claimed" || r === "in-flight"),
          "the others should be in-flight",
        );
      },
    },
    {
      name: "keys are independent",
      async run() {
        const store = await makeStore();
        const a = key("a");
        const b = key("b");
        await store.claim(a, lock);
        await store.complete(a, { ttlMs: 60_000 });
        check((await store.claim(b, lock)) === "claimed", "another key is unaffected");
      },
    },
    {
      name: "releasing or completing an unknown key does not throw",
      async run() {
        const store = await makeStore();
        await store.release(key("never-claimed"));
        const k = key("complete-unclaimed");
        await store.complete(k, { ttlMs: 60_000 });
        check((await store.claim(k, lock)) === "completed", "complete without claim still records it");
      },
    },
  ];
}
