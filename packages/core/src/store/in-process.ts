import type { Claim, IdempotencyStore } from "../store.js";

/**
 * The synchronous claim and complete of a store that lives in this process (memoryStore): the
 * receiver calls them directly, with no promise and no timeout to arm, since a `Map` cannot hang.
 * A store without them (any other, or a wrapper around a memoryStore) is called as usual.
 */
export interface InProcessCalls {
  claim(key: string, options: { lockMs: number; ttlMs: number }): Claim;
  complete(key: string, token: string, options: { ttlMs: number }): boolean;
}

/**
 * Keyed by the store object itself, not a property: a Proxy, a spread copy or any wrapper around a
 * memoryStore is another object, so its own methods (a count, a fault) are always the ones called.
 */
const inProcess = new WeakMap<IdempotencyStore, InProcessCalls>();

/** Marks `store` as answering in-process with `calls` (the same logic its async methods run). */
export function markInProcess<S extends IdempotencyStore>(store: S, calls: InProcessCalls): S {
  inProcess.set(store, calls);
  return store;
}

/** `store`'s synchronous calls, when it is itself an in-process store (not a wrapper around one). */
export function inProcessOf(store: IdempotencyStore): InProcessCalls | undefined {
  return inProcess.get(store);
}
