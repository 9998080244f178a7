/**
 * Heap kept per key by a memoryStore that claimed and completed 50,000 keys, beside a `Set` and a
 * `Map` of the same keys; the key strings themselves are not counted (an array keeps them all):
 *
 *   node --expose-gc --import tsx micro/store-memory.ts
 */
import { memoryStore } from "@hookgate/core";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const count = 50_000;
// Shaped like a receiver's keys: scheme, tenant identity, the sender's id.
const keys = Array.from(
  { length: count },
  (_, i) => `standard-webhooks:AbCdEfGhIjKlMnOpQrStUv:msg_${(1e12 + i).toString(36)}abcdefghij`,
);
const lock = { lockMs: 60_000, ttlMs: 72 * 3600 * 1000 };

async function bytesPerKey(fill: () => Promise<unknown>): Promise<number> {
  gc!();
  const before = process.memoryUsage().heapUsed;
  const kept = await fill();
  gc!();
  const after = process.memoryUsage().heapUsed;
  if (!kept) throw new Error("nothing kept");
  return (after - before) / count;
}

const results = {
  Set: await bytesPerKey(async () => new Set(keys)),
  Map: await bytesPerKey(async () => new Map(keys.map((key, i) => [key, i]))),
  memoryStore: await bytesPerKey(async () => {
    const store = memoryStore();
    for (const key of keys) {
      const claim = await store.claim(key, lock);
      if (claim.status !== "claimed") throw new Error(`${key} was ${claim.status}`);
      await store.complete(key, claim.token, lock);
    }
    return store;
  }),
};
for (const [name, bytes] of Object.entries(results))
  console.log(`${name.padEnd(12)} ${bytes.toFixed(1)} bytes/key`);
