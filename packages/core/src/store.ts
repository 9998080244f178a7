import { WebhookError } from "./errors.js";

/** What {@link IdempotencyStore.claim} found. */
export type ClaimResult = "claimed" | "in-flight" | "completed";

/**
 * Where delivery ids are claimed, completed and released. `claim` must be atomic across
 * every process sharing the store: of concurrent claims of one key, exactly one gets `"claimed"`.
 */
export interface IdempotencyStore {
  /**
   * Claims `key` for processing: `"claimed"` if nobody holds it (the lock then expires after
   * `lockMs`, so a crashed instance blocks nobody for long), `"in-flight"` if another claim is
   * live, `"completed"` if it was completed within its `ttlMs`.
   */
  claim(key: string, options: { lockMs: number; ttlMs: number }): Promise<ClaimResult>;
  /** Marks `key` done for `ttlMs`: later claims answer `"completed"`. */
  complete(key: string, options: { ttlMs: number }): Promise<void>;
  /** Forgets `key`, so the sender's retry is processed. */
  release(key: string): Promise<void>;
}

/** Options for {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most keys kept. Past it, expired keys go first, then the oldest completed ones; when every
   * key is in flight, a new claim is refused (503) rather than forgetting a live one.
   * @default 100_000
   */
  maxKeys?: number;
  /** The clock, in ms. @default Date.now */
  now?: () => number;
}

interface Entry {
  state: "in-flight" | "completed";
  expiresAt: number;
}

/** An in-memory store with its bookkeeping exposed for tests and metrics. */
export interface MemoryStore extends IdempotencyStore {
  /** Keys currently held (in flight or completed, not yet expired or evicted). */
  readonly size: number;
  clear(): void;
}

/**
 * The embedded default store: one process, bounded in memory, lost on restart. For several
 * instances use `@hookgate/redis` or `@hookgate/postgres`.
 *
 * @example
 * createReceiver({ scheme, store: memoryStore({ maxKeys: 10_000 }) })
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? Date.now;
  if (!(maxKeys >= 1)) throw new TypeError("hookgate: memoryStore maxKeys must be at least 1");
  // Insertion order is age order: a completed key is re-inserted, so the oldest completed come first.
  const entries = new Map<string, Entry>();

  function makeRoom(at: number): void {
    if (entries.size < maxKeys) return;
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
    if (entries.size < maxKeys) return;
    for (const [key, entry] of entries) {
      if (entry.state === "completed") {
        entries.delete(key);
        if (entries.size < maxKeys) return;
      }
    }
    throw new WebhookError(
      "store_unavailable",
      `hookgate: memoryStore is full with ${maxKeys} deliveries in flight; raise maxKeys or use a shared store`,
      { headers: { "retry-after": "5" } },
    );
  }

  return {
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
    async claim(key, { lockMs }) {
      const at = now();
      const entry = entries.get(key);
      if (entry && entry.expiresAt > at) return entry.state === "completed" ? "completed" : "in-flight";
      if (entry) entries.delete(key);
      makeRoom(at);
      entries.set(key, { state: "in-flight", expiresAt: at + lockMs });
      return "claimed";
    },
    async complete(key, { ttlMs }) {
      entries.delete(key);
      makeRoom(now());
      entries.set(key, { state: "completed", expiresAt: now() + ttlMs });
    },
    async release(key) {
      entries.delete(key);
    },
  };
}
