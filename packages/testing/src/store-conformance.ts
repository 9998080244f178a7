import type { Claim, IdempotencyStore } from "@hookgate/core";
import { watermarkScenarios } from "./internal/watermark-scenarios.js";

/** One scenario of the store conformance suite: a name, and a function that throws on failure. */
export interface StoreScenario {
  name: string;
  run: () => Promise<void>;
}

/** Options for {@link storeConformance}. */
export interface StoreConformanceOptions {
  /** A fresh key prefix per scenario, so scenarios never see each other's keys. @default random */
  keyPrefix?: string;
  /** Concurrent claims (and binds) in the atomicity scenarios. @default 50 */
  concurrency?: number;
  /**
   * The lease (and binding life) used by the expiry scenarios, in ms: long enough for one store round trip, short
   * enough to keep the suite quick. @default 150
   */
  shortLockMs?: number;
  /**
   * Run the watermark scenarios (`watermark` and `advance`, what a receiver's `ordering` needs).
   * `false` for a store that does not offer ordering; such a store cannot back `ordering`.
   * @default true
   */
  ordering?: boolean;
}

class ConformanceError extends Error {
  override name = "StoreConformanceError";
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceError(`hookgate store conformance: ${message}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tokenOf(claim: Claim, what: string): string {
  check(claim.status === "claimed", `${what} should be claimed, got ${claim.status}`);
  check(typeof claim.token === "string" && claim.token.length > 0, `${what} should carry a token`);
  return claim.token;
}

/**
 * The scenarios every {@link IdempotencyStore} must pass, runner-agnostic: each `run` throws on
 * failure, so any test runner can run them.
 *
 * `makeStore` is called several times (the atomicity scenario makes up to eight handles, as
 * several processes would): each call must return a handle on one shared backend — for
 * example a new `redisStore({ client })` over the same server, or one `memoryStore()` instance
 * returned every time — never a fresh empty store.
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
  const short = options.shortLockMs ?? 150;
  let counter = 0;
  const key = (name: string) => `${base}:${counter++}:${name}`;
  const lock = { lockMs: 10_000, ttlMs: 60_000 };
  const shortLock = { lockMs: short, ttlMs: 60_000 };
  const pastShortLock = () => sleep(short * 2 + 100);
  const bindFor = { ttlMs: 60_000 };

  return [
    {
      name: "a first claim is claimed with a token, a second is in-flight",
      async run() {
        const store = await makeStore();
        const k = key("first");
        tokenOf(await store.claim(k, lock), "first claim");
        const second = await store.claim(k, lock);
        check(
          second.status === "in-flight",
          `second claim of a held key should be in-flight, got ${second.status}`,
        );
        check(!("token" in second), "an in-flight answer carries no token");
      },
    },
    {
      name: "the holder's complete makes later claims answer completed",
      async run() {
        const store = await makeStore();
        const k = key("completed");
        const token = tokenOf(await store.claim(k, lock), "claim");
        check(
          (await store.complete(k, token, { ttlMs: 60_000 })) === true,
          "the holder's complete should return true",
        );
        check(
          (await store.claim(k, lock)).status === "completed",
          "claim after complete should be completed",
        );
        check((await store.claim(k, lock)).status === "completed", "completed is stable");
      },
    },
    {
      name: "the holder's release lets the key be claimed again, with a new token",
      async run() {
        const store = await makeStore();
        const k = key("released");
        const first = tokenOf(await store.claim(k, lock), "first claim");
        await store.release(k, first);
        const second = tokenOf(await store.claim(k, lock), "claim after release");
        check(second !== first, "each claim should get a fresh token");
      },
    },
    {
      name: "a release with another token does not free a live claim",
      async run() {
        const store = await makeStore();
        const k = key("foreign-release");
        tokenOf(await store.claim(k, lock), "claim");
        await store.release(k, "not-the-holders-token");
        check((await store.claim(k, lock)).status === "in-flight", "a foreign release must not free the key");
      },
    },
    {
      name: "a stale release does not free a live claim taken over after expiry",
      async run() {
        const store = await makeStore();
        const k = key("stale-release");
        const stale = tokenOf(await store.claim(k, shortLock), "first claim");
        await pastShortLock();
        tokenOf(await store.claim(k, lock), "claim after the first lease expired");
        await store.release(k, stale);
        check(
          (await store.claim(k, lock)).status === "in-flight",
          "the expired holder's release must not free the new claim",
        );
      },
    },
    {
      name: "a late release does not erase a completion",
      async run() {
        const store = await makeStore();
        const k = key("late-release");
        const token = tokenOf(await store.claim(k, lock), "claim");
        check(await store.complete(k, token, { ttlMs: 60_000 }), "complete");
        await store.release(k, token);
        check(
          (await store.claim(k, lock)).status === "completed",
          "a release after complete must not erase it",
        );

        const k2 = key("late-release-other");
        const stale = tokenOf(await store.claim(k2, shortLock), "first claim");
        await pastShortLock();
        const live = tokenOf(await store.claim(k2, lock), "takeover claim");
        check(await store.complete(k2, live, { ttlMs: 60_000 }), "the new holder's complete");
        await store.release(k2, stale);
        check(
          (await store.claim(k2, lock)).status === "completed",
          "the expired holder's release must not erase another's completion",
        );
      },
    },
    {
      name: "an unextended lease expires after lockMs",
      async run() {
        const store = await makeStore();
        const k = key("lock-expiry");
        tokenOf(await store.claim(k, shortLock), "first claim");
        check((await store.claim(k, shortLock)).status === "in-flight", "held before lockMs");
        await pastShortLock();
        tokenOf(await store.claim(k, shortLock), "claim after lockMs");
      },
    },
    {
      name: "extend keeps a lease alive past lockMs",
      async run() {
        const store = await makeStore();
        const k = key("extend");
        const token = tokenOf(await store.claim(k, shortLock), "claim");
        for (let i = 0; i < 4; i++) {
          await sleep(short / 2);
          check(
            (await store.extend(k, token, { lockMs: short })) === true,
            `extend ${i + 1} should return true`,
          );
        }
        // 2× lockMs after the claim, the lease is still held.
        check(
          (await store.claim(k, shortLock)).status === "in-flight",
          "an extended lease is still held past lockMs",
        );
        check(await store.complete(k, token, { ttlMs: 60_000 }), "the extended holder's complete");
        check((await store.claim(k, lock)).status === "completed", "completed");
      },
    },
    {
      name: "a lease that expired can be claimed by another holder; the old holder's extend and complete return false",
      async run() {
        const store = await makeStore();
        const k = key("takeover");
        const old = tokenOf(await store.claim(k, shortLock), "first claim");
        await pastShortLock();
        const live = tokenOf(await store.claim(k, lock), "takeover claim");
        check(live !== old, "the takeover gets its own token");
        check(
          (await store.extend(k, old, { lockMs: 10_000 })) === false,
          "the old holder's extend should return false",
        );
        check(
          (await store.complete(k, old, { ttlMs: 60_000 })) === false,
          "the old holder's complete should return false",
        );
        check((await store.claim(k, lock)).status === "in-flight", "the new holder still holds the key");
        check(
          await store.complete(k, live, { ttlMs: 60_000 }),
          "the new holder's complete should return true",
        );
        check(
          (await store.extend(k, live, { lockMs: 10_000 })) === false,
          "extend after complete returns false",
        );
      },
    },
    {
      name: "a completed key is forgotten after ttlMs",
      async run() {
        const store = await makeStore();
        const k = key("ttl-expiry");
        const token = tokenOf(await store.claim(k, lock), "claim");
        await store.complete(k, token, { ttlMs: short });
        check((await store.claim(k, lock)).status === "completed", "completed within ttl");
        await pastShortLock();
        tokenOf(await store.claim(k, lock), "claim after ttlMs");
      },
    },
    {
      name: `exactly one of ${concurrency} concurrent claims from several handles wins`,
      async run() {
        const stores = await Promise.all(Array.from({ length: Math.min(concurrency, 8) }, () => makeStore()));
        const k = key("race");
        const results = await Promise.all(
          Array.from({ length: concurrency }, (_, i) => stores[i % stores.length]!.claim(k, lock)),
        );
        const claimed = results.filter((r) => r.status === "claimed").length;
        check(claimed === 1, `expected exactly 1 claimed, got ${claimed}`);
        check(
          results.every((r) => r.status === "claimed" || r.status === "in-flight"),
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
        const token = tokenOf(await store.claim(a, lock), "claim a");
        await store.complete(a, token, { ttlMs: 60_000 });
        tokenOf(await store.claim(b, lock), "claim b");
      },
    },
    {
      name: "releasing an unknown key does not throw, nor claim it",
      async run() {
        const store = await makeStore();
        const k = key("never-claimed");
        await store.release(k, "no-such-token");
        tokenOf(await store.claim(k, lock), "claim after a release of an unknown key");
      },
    },
    {
      name: "keys may hold any characters",
      async run() {
        const store = await makeStore();
        for (const name of ["a:b:c", "spaces and ünïcode ✓", "{braces}", "quote'\"", "x".repeat(200)]) {
          const k = key(name);
          const token = tokenOf(await store.claim(k, lock), `claim ${JSON.stringify(name)}`);
          check(await store.complete(k, token, { ttlMs: 60_000 }), "complete");
          check((await store.claim(k, lock)).status === "completed", `completed ${JSON.stringify(name)}`);
        }
      },
    },
    {
      name: "bind: the first writer wins, a later bind gets the first value",
      async run() {
        const store = await makeStore();
        const k = key("bind-first");
        check((await store.bind(k, "first", bindFor)) === "first", "the first bind should return its value");
        check(
          (await store.bind(k, "second", bindFor)) === "first",
          "a second bind should return the first value",
        );
        check(
          (await store.bind(k, "third", { ...bindFor, refresh: true })) === "first",
          "a refreshing bind leaves the value",
        );
        check(
          (await store.bind(key("bind-other"), "second", bindFor)) === "second",
          "bindings of other keys are independent",
        );
      },
    },
    {
      name: `bind: ${concurrency} concurrent binds of one key from several handles all get one value`,
      async run() {
        const stores = await Promise.all(Array.from({ length: Math.min(concurrency, 8) }, () => makeStore()));
        const k = key("bind-race");
        const results = await Promise.all(
          Array.from({ length: concurrency }, (_, i) =>
            stores[i % stores.length]!.bind(k, `value-${i}`, bindFor),
          ),
        );
        const values = new Set(results);
        check(values.size === 1, `every bind should get the same value, got ${values.size} different ones`);
        const [winner] = values;
        check(
          typeof winner === "string" && /^value-\d+$/.test(winner),
          `the value should be one of the binds', got ${JSON.stringify(winner)}`,
        );
        check((await stores[0]!.bind(k, "late", bindFor)) === winner, "a later bind gets the winner");
      },
    },
    {
      name: "bind: a binding is forgotten after ttlMs",
      async run() {
        const store = await makeStore();
        const k = key("bind-expiry");
        check((await store.bind(k, "old", { ttlMs: short })) === "old", "first bind");
        check((await store.bind(k, "new", { ttlMs: short })) === "old", "held within ttlMs");
        await pastShortLock();
        check((await store.bind(k, "new", bindFor)) === "new", "a bind after ttlMs binds the new value");
        check((await store.bind(k, "newer", bindFor)) === "new", "and holds it");
      },
    },
    {
      name: "bind: refresh extends a binding's life, a bind without refresh does not",
      async run() {
        const store = await makeStore();
        const k = key("bind-refresh");
        check((await store.bind(k, "kept", { ttlMs: short })) === "kept", "first bind");
        for (let i = 0; i < 4; i++) {
          await sleep(short / 2);
          check(
            (await store.bind(k, `other-${i}`, { ttlMs: short, refresh: true })) === "kept",
            `refresh ${i + 1} should keep the value`,
          );
        }
        // 2× ttlMs after the first bind, the refreshed binding still holds.
        check(
          (await store.bind(k, "other", { ttlMs: short })) === "kept",
          "a refreshed binding outlives ttlMs",
        );

        const plain = key("bind-no-refresh");
        check((await store.bind(plain, "first", { ttlMs: short })) === "first", "first bind");
        await sleep(short / 2);
        check(
          (await store.bind(plain, "second", { ttlMs: 60_000 })) === "first",
          "a bind without refresh leaves the value",
        );
        await sleep(short / 2 + short + 100);
        check(
          (await store.bind(plain, "third", bindFor)) === "third",
          "a bind without refresh does not extend the binding's life",
        );
      },
    },
    {
      name: "bind: keys and values may hold any characters",
      async run() {
        const store = await makeStore();
        const odd = [
          "a:b:c",
          "spaces and ünïcode ✓",
          "{braces}",
          "}{",
          "#hash",
          "quote'\"`",
          "back\\slash \\0",
          "nul\u0000byte",
          "lone \ud800 surrogate",
          "\udc00",
          "",
          "x".repeat(300),
        ];
        for (const [i, name] of odd.entries()) {
          const k = key(name);
          const value = odd[(i + 1) % odd.length]!;
          check((await store.bind(k, value, bindFor)) === value, `bind ${JSON.stringify(name)}`);
          check(
            (await store.bind(k, "other", bindFor)) === value,
            `bound ${JSON.stringify(name)} to ${JSON.stringify(value)}`,
          );
        }
        // Keys that differ only in what an escaping or an encoding could merge stay apart.
        const a = key("\ud800");
        const b = key("\udc00");
        const c = key("\ufffd");
        check((await store.bind(a, "a", bindFor)) === "a", "lone high surrogate");
        check((await store.bind(b, "b", bindFor)) === "b", "lone low surrogate");
        check((await store.bind(c, "c", bindFor)) === "c", "replacement character");
        const d = key("\\0");
        const e = key("\u0000");
        check((await store.bind(d, "d", bindFor)) === "d", "backslash zero");
        check((await store.bind(e, "e", bindFor)) === "e", "U+0000");
      },
    },
    {
      name: "bind: bindings and claims of the same key string never meet",
      async run() {
        const store = await makeStore();
        const k = key("bind-vs-claim");
        const token = tokenOf(await store.claim(k, lock), "claim");
        check((await store.bind(k, "bound", bindFor)) === "bound", "a claimed key string is still unbound");
        check((await store.claim(k, lock)).status === "in-flight", "the bind leaves the claim");
        check(await store.complete(k, token, { ttlMs: 60_000 }), "the holder's complete");
        check((await store.bind(k, "other", bindFor)) === "bound", "the completion leaves the binding");
        check((await store.claim(k, lock)).status === "completed", "the binding leaves the completion");

        const k2 = key("claim-vs-bind");
        check((await store.bind(k2, "bound", bindFor)) === "bound", "bind first");
        tokenOf(await store.claim(k2, lock), "a bound key string is still unclaimed");
      },
    },
    ...(options.ordering === false ? [] : watermarkScenarios(makeStore, key, concurrency, short)),
  ];
}
