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

const IN_PROCESS = Symbol("hookgate.inProcessStore");

/** Marks `store` as answering in-process with `calls` (the same logic its async methods run). */
export function markInProcess<S extends IdempotencyStore>(store: S, calls: InProcessCalls): S {
  Object.defineProperty(store, IN_PROCESS, { value: calls });
  return store;
}

/** `store`'s synchronous calls, when it answers in-process. */
export function inProcessOf(store: IdempotencyStore): InProcessCalls | undefined {
  return (store as { [IN_PROCESS]?: InProcessCalls })[IN_PROCESS];
}
