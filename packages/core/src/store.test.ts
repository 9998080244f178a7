import { storeConformance } from "@hookgate/testing";
import { describe, expect, it } from "vitest";
import { memoryStore } from "./store.js";

describe("memoryStore conformance", () => {
  for (const scenario of storeConformance(() => shared)) it(scenario.name, scenario.run);
});
const shared = memoryStore();

describe("memoryStore bounds", () => {
  const lock = { lockMs: 60_000, ttlMs: 60_000 };

  it("stays within maxKeys, evicting the oldest completed keys first", async () => {
    const store = memoryStore({ maxKeys: 3 });
    for (const k of ["a", "b", "c"]) {
      await store.claim(k, lock);
      await store.complete(k, lock);
    }
    await store.claim("d", lock);
    expect(store.size).toBe(3);
    expect(await store.claim("a", lock)).toBe("claimed"); // "a" was evicted, then claimed again; "b" goes
    expect(await store.claim("c", lock)).toBe("completed");
    expect(await store.claim("d", lock)).toBe("in-flight");
  });

  it("evicts expired keys before live ones", async () => {
    let now = 0;
    const store = memoryStore({ maxKeys: 2, now: () => now });
    await store.claim("old", { lockMs: 10, ttlMs: 10 });
    await store.claim("live", lock);
    await store.complete("live", lock);
    now = 100;
    await store.claim("new", lock);
    expect(await store.claim("live", lock)).toBe("completed");
    expect(store.size).toBe(2);
  });

  it("refuses a claim rather than forgetting a delivery in flight", async () => {
    const store = memoryStore({ maxKeys: 2 });
    await store.claim("x", lock);
    await store.claim("y", lock);
    await expect(store.claim("z", lock)).rejects.toMatchObject({ code: "store_unavailable", status: 503 });
    expect(await store.claim("x", lock)).toBe("in-flight");
  });
});
