import { storeConformance } from "@hookgate/testing";
import { describe, expect, it } from "vitest";
import { memoryStore } from "./store/memory-store.js";

describe("memoryStore conformance", () => {
  const shared = memoryStore();
  for (const scenario of storeConformance(() => shared)) it(scenario.name, scenario.run);
});

describe("memoryStore bounds", () => {
  const lock = { lockMs: 60_000, ttlMs: 60_000 };
  async function claimAndComplete(store: ReturnType<typeof memoryStore>, key: string) {
    const claim = await store.claim(key, lock);
    if (claim.status !== "claimed") throw new Error(`${key} was ${claim.status}`);
    expect(await store.complete(key, claim.token, lock)).toBe(true);
  }

  it("stays within maxKeys, evicting the oldest completed keys first", async () => {
    const store = memoryStore({ maxKeys: 3 });
    for (const k of ["a", "b", "c"]) await claimAndComplete(store, k);
    await store.claim("d", lock);
    expect(store.size).toBe(3);
    expect((await store.claim("a", lock)).status).toBe("claimed"); // "a" was evicted, then claimed again; "b" goes
    expect((await store.claim("c", lock)).status).toBe("completed");
    expect((await store.claim("d", lock)).status).toBe("in-flight");
  });

  it("evicts expired leases before completed keys", async () => {
    let now = 0;
    const store = memoryStore({ maxKeys: 2, now: () => now });
    await store.claim("old", { lockMs: 10, ttlMs: 10 });
    await claimAndComplete(store, "live");
    now = 100;
    await store.claim("new", lock);
    expect((await store.claim("live", lock)).status).toBe("completed");
    expect(store.size).toBe(2);
  });

  it("a key's lease, completion and expiry, reclaimed: old tokens lose it, eviction order follows the last write", async () => {
    let now = 0;
    const store = memoryStore({ maxKeys: 3, now: () => now });
    const short = { lockMs: 10, ttlMs: 10 };
    const first = await store.claim("a", short);
    if (first.status !== "claimed") throw new Error("a was not claimed");
    expect(await store.complete("a", first.token, short)).toBe(true);
    expect((await store.claim("a", short)).status).toBe("completed");
    expect(await store.extend("a", first.token, short)).toBe(false);
    now = 20; // the completion expired: the key is free again
    const second = await store.claim("a", lock);
    if (second.status !== "claimed") throw new Error("a was not claimed again");
    expect(await store.complete("a", first.token, lock)).toBe(false);
    expect(await store.extend("a", first.token, lock)).toBe(false);
    expect(await store.extend("a", second.token, lock)).toBe(true);
    await claimAndComplete(store, "b");
    await claimAndComplete(store, "c");
    expect(store.size).toBe(3);
    // "a" was leased again after "b" and "c" were first written, but completed before them.
    expect(await store.complete("a", second.token, lock)).toBe(true);
    await store.claim("d", lock);
    expect(store.size).toBe(3);
    expect((await store.claim("a", lock)).status).toBe("completed"); // its last write is the newest
    expect((await store.claim("c", lock)).status).toBe("completed");
    const b = await store.claim("b", lock); // the oldest by its last write: evicted
    expect(b.status).toBe("claimed");
    await store.release("b", first.token);
    expect((await store.claim("b", lock)).status).toBe("in-flight");
  });

  it("a key released or evicted leaves nothing behind for the key written after it", async () => {
    // Keys are kept in slots that a removed key frees for the next: the next key is whole, and
    // the removed key's places in the eviction order do not speak for it.
    let now = 0;
    const store = memoryStore({ maxKeys: 2, now: () => now });
    const a = await store.claim("a", { lockMs: 10, ttlMs: 10 });
    if (a.status !== "claimed") throw new Error("a was not claimed");
    await store.release("a", a.token);
    expect(store.size).toBe(0);
    const b = await store.claim("b", lock); // in a's freed slot
    if (b.status !== "claimed") throw new Error("b was not claimed");
    await claimAndComplete(store, "c");
    now = 100; // a's lease would have expired by now; b's has not
    await expect(store.claim("d", lock)).resolves.toMatchObject({ status: "claimed" }); // "c" goes
    expect((await store.claim("b", lock)).status).toBe("in-flight");
    expect(await store.complete("b", a.token, lock)).toBe(false);
    expect(await store.complete("b", b.token, lock)).toBe(true);
    expect((await store.claim("a", lock)).status).toBe("claimed"); // "b" goes: the only completion
    expect((await store.claim("d", lock)).status).toBe("in-flight");
    expect(store.size).toBe(2);
  });

  it("refuses a claim rather than forgetting a delivery in flight", async () => {
    const store = memoryStore({ maxKeys: 2 });
    await store.claim("x", lock);
    await store.claim("y", lock);
    await expect(store.claim("z", lock)).rejects.toMatchObject({ code: "store_unavailable", status: 503 });
    expect((await store.claim("x", lock)).status).toBe("in-flight");
  });

  it("keeps a full store within maxKeys through many claims", async () => {
    const store = memoryStore({ maxKeys: 1000 });
    for (let i = 0; i < 5000; i++) await claimAndComplete(store, `k${i}`);
    expect(store.size).toBe(1000);
    expect((await store.claim("k4999", lock)).status).toBe("completed");
    expect((await store.claim("k0", lock)).status).toBe("claimed");
  });

  it("counts bindings within maxKeys, evicting the oldest of completed keys and bindings", async () => {
    const store = memoryStore({ maxKeys: 3 });
    await claimAndComplete(store, "a");
    expect(await store.bind("b", "1", lock)).toBe("1");
    await claimAndComplete(store, "c");
    expect(await store.bind("d", "2", lock)).toBe("2"); // "a" goes
    expect(store.size).toBe(3);
    expect((await store.claim("c", lock)).status).toBe("completed");
    expect(await store.bind("b", "other", lock)).toBe("1");
    await store.claim("e", lock); // "b" goes
    expect(store.size).toBe(3);
    expect(await store.bind("b", "3", lock)).toBe("3"); // forgotten, bound anew; "c" goes
    expect(await store.bind("d", "other", lock)).toBe("2");
  });

  it("refuses a bind rather than forgetting a delivery in flight", async () => {
    const store = memoryStore({ maxKeys: 2 });
    await store.claim("x", lock);
    await store.claim("y", lock);
    await expect(store.bind("z", "v", lock)).rejects.toMatchObject({
      code: "store_unavailable",
      status: 503,
    });
    expect((await store.claim("x", lock)).status).toBe("in-flight");
  });

  it("a binding refreshed many times keeps its place by its last write", async () => {
    // Thousands of rewrites of one key make the write order drop its stale places (compaction);
    // eviction must still find the oldest live key.
    const store = memoryStore({ maxKeys: 3 });
    expect(await store.bind("a", "1", lock)).toBe("1");
    await claimAndComplete(store, "b");
    for (let i = 0; i < 5000; i++) expect(await store.bind("a", "x", { ...lock, refresh: true })).toBe("1");
    expect(await store.bind("c", "2", lock)).toBe("2");
    await store.claim("d", lock); // "b" is now the oldest write: it goes, not "a"
    expect(store.size).toBe(3);
    expect(await store.bind("a", "x", lock)).toBe("1");
    expect((await store.claim("b", lock)).status).toBe("claimed"); // now "a" is the oldest: it goes
    expect(await store.bind("c", "x", lock)).toBe("2");
    expect(await store.bind("a", "3", lock)).toBe("3");
  });

  it("dropping stale places keeps every live key's place, in write order", async () => {
    // Three live bindings when the order drops its stale places (z's thousands of refreshes):
    // p and q keep theirs, so each is evicted in its turn, never skipped as if it had none.
    const store = memoryStore({ maxKeys: 5 });
    await store.bind("p", "1", lock);
    await store.bind("q", "1", lock);
    await claimAndComplete(store, "r");
    await store.bind("z", "1", lock);
    for (let i = 0; i < 3000; i++) await store.bind("z", "x", { ...lock, refresh: true });
    await claimAndComplete(store, "s");
    // Full: each new key evicts the oldest last write — p, q, r — and z (refreshed) and s stay.
    for (const key of ["t", "u", "v"]) await claimAndComplete(store, key);
    expect(await store.bind("z", "2", lock)).toBe("1");
    expect((await store.claim("s", lock)).status).toBe("completed");
    expect(await store.bind("q", "2", lock)).toBe("2");
  });

  it("an eviction order that grows while it wraps around keeps its order", async () => {
    const store = memoryStore({ maxKeys: 20 });
    // b0…b9 evicted for b20…b29: the order's oldest end has moved on.
    for (let i = 0; i < 30; i++) await store.bind(`b${i}`, "old", lock);
    // Twenty more places for b29, with nothing evicted: the order wraps and outgrows its room.
    for (let i = 0; i < 20; i++) await store.bind("b29", "x", { ...lock, refresh: true });
    for (let i = 0; i < 10; i++) await store.bind(`c${i}`, "new", lock);
    // The ten evicted were the ten oldest: b10…b19. b20…b29 are held still.
    for (let i = 20; i < 30; i++) expect(await store.bind(`b${i}`, "new", lock)).toBe("old");
    expect(await store.bind("b19", "new", lock)).toBe("new");
  });

  it("refuses a bind ttlMs that is not a positive number", async () => {
    const store = memoryStore();
    for (const ttlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(store.bind("k", "v", { ttlMs })).rejects.toMatchObject({ code: "invalid_option" });
    }
  });

  it("refuses maxKeys that is not a whole number of at least 1", () => {
    for (const maxKeys of [0, -1, Number.NaN, 1.5, Number.POSITIVE_INFINITY]) {
      expect(() => memoryStore({ maxKeys })).toThrow(expect.objectContaining({ code: "invalid_option" }));
    }
  });
});
