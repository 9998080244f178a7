import { WebhookError } from "./errors.js";
import { checkOption } from "./internal/check-option.js";

/** What {@link IdempotencyStore.claim} found. */
export type Claim =
  /** The key is yours until `lockMs` passes: pass `token` to `extend`, `complete` and `release`. */
  | { status: "claimed"; token: string }
  /** Someone else holds a live lease on the key. */
  | { status: "in-flight" }
  /** The key was completed within its `ttlMs`. */
  | { status: "completed" };

/**
 * Where delivery keys are claimed, held, completed and released. A lease is held by the token
 * `claim` returns: only that token can extend, complete or release the key, so a late call from
 * an attempt whose lease expired never frees someone else's claim or erases a completion.
 *
 * Implementations must make `claim` atomic across every process sharing the store: of concurrent
 * claims of one key, exactly one gets `"claimed"`. Run `storeConformance` from
 * `@hookgate/testing` against yours.
 */
export interface IdempotencyStore {
  /**
   * Claims `key`: `claimed` with a fresh token if nobody holds it (the lease then expires after
   * `lockMs`, so a crashed instance blocks nobody for long), `in-flight` if another lease is
   * live, `completed` if it was completed within its `ttlMs`.
   */
  claim(key: string, options: { lockMs: number; ttlMs: number }): Promise<Claim>;
  /**
   * Renews the lease for another `lockMs`. `false`: the lease is lost (another holder claimed
   * the key after it expired, or it was completed).
   */
  extend(key: string, token: string, options: { lockMs: number }): Promise<boolean>;
  /**
   * Marks `key` done for `ttlMs`: later claims answer `completed`. `false`: the lease is lost
   * (another holder claimed the key after it expired, or completed it).
   */
  complete(key: string, token: string, options: { ttlMs: number }): Promise<boolean>;
  /** Frees `key` so the sender's retry is processed; no effect unless `token` holds it. */
  release(key: string, token: string): Promise<void>;
}

/** Options for {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most keys kept. Past it, expired leases go first, then the oldest completed keys; when every
   * key is a live lease, a new claim is refused (503) rather than forgetting one.
   * @default 100_000
   */
  maxKeys?: number;
  /** The clock, in ms. @default Date.now */
  now?: () => number;
}

interface Lease {
  token: string;
  expiresAt: number;
  seq: number;
}

interface Completion {
  expiresAt: number;
  seq: number;
}

/**
 * Keys in the order they were last written, for eviction from the oldest end. A key written
 * again is appended again; its older place is recognised as stale by its sequence number. (A
 * `Map` iterated from the front after many front deletions skips every deleted slot each time.)
 */
class WriteOrder {
  private keys: string[] = [];
  private seqs: number[] = [];
  private head = 0;

  push(key: string, seq: number): void {
    this.keys.push(key);
    this.seqs.push(seq);
  }

  /** The oldest place, or undefined when empty. */
  peek(): { key: string; seq: number } | undefined {
    return this.head < this.keys.length
      ? { key: this.keys[this.head]!, seq: this.seqs[this.head]! }
      : undefined;
  }

  shift(): void {
    this.head++;
    // Compact once the consumed front is most of the array: amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.seqs = this.seqs.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.keys = [];
    this.seqs = [];
    this.head = 0;
  }
}

/** An in-memory store with its bookkeeping exposed for tests and metrics. */
export interface MemoryStore extends IdempotencyStore {
  /** Keys currently held (leased or completed, not yet expired or evicted). */
  readonly size: number;
  clear(): void;
}

let tokens = 0;
const tokenPrefix = Math.random().toString(36).slice(2, 10);

/**
 * The embedded default store: one process, bounded in memory, lost on restart. For several
 * instances use `@hookgate/redis` or `@hookgate/postgres`.
 *
 * @example
 * createReceiver({ scheme, store: memoryStore({ maxKeys: 10_000 }) })
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  checkOption.object("memoryStore", options);
  const maxKeys = checkOption.whole("memoryStore option maxKeys", options.maxKeys, 100_000);
  const now = checkOption.callback("memoryStore option now", options.now) ?? Date.now;
  const leases = new Map<string, Lease>();
  const completed = new Map<string, Completion>();
  const leaseOrder = new WriteOrder();
  const completedOrder = new WriteOrder();
  let seq = 0;
  const size = () => leases.size + completed.size;

  // Expired leases go first (oldest first), then the oldest completed keys; never a live lease.
  function makeRoom(at: number): void {
    for (let place = leaseOrder.peek(); place && size() >= maxKeys; place = leaseOrder.peek()) {
      const lease = leases.get(place.key);
      if (lease?.seq === place.seq) {
        if (lease.expiresAt > at) break;
        leases.delete(place.key);
      }
      leaseOrder.shift();
    }
    for (let place = completedOrder.peek(); place && size() >= maxKeys; place = completedOrder.peek()) {
      if (completed.get(place.key)?.seq === place.seq) completed.delete(place.key);
      completedOrder.shift();
    }
    if (size() >= maxKeys) {
      throw new WebhookError(
        "store_unavailable",
        `hookgate: memoryStore is full with ${maxKeys} deliveries in flight; raise maxKeys or use a shared store`,
        { headers: { "retry-after": "5" } },
      );
    }
  }

  function setLease(key: string, token: string, expiresAt: number): void {
    leases.set(key, { token, expiresAt, seq: ++seq });
    leaseOrder.push(key, seq);
  }

  function setCompleted(key: string, expiresAt: number): void {
    completed.set(key, { expiresAt, seq: ++seq });
    completedOrder.push(key, seq);
  }

  /** Whether `token` may extend or complete `key`: it holds the lease, or the key is free again. */
  function holds(key: string, token: string, at: number): boolean {
    const done = completed.get(key);
    if (done && done.expiresAt > at) return false;
    const lease = leases.get(key);
    return lease === undefined || lease.token === token || lease.expiresAt <= at;
  }

  return {
    get size() {
      return size();
    },
    clear() {
      leases.clear();
      completed.clear();
      leaseOrder.clear();
      completedOrder.clear();
    },
    async claim(key, { lockMs }) {
      const at = now();
      const done = completed.get(key);
      if (done !== undefined) {
        if (done.expiresAt > at) return { status: "completed" };
        completed.delete(key);
      }
      const lease = leases.get(key);
      if (lease) {
        if (lease.expiresAt > at) return { status: "in-flight" };
        leases.delete(key);
      }
      makeRoom(at);
      const token = `${tokenPrefix}.${(++tokens).toString(36)}`;
      setLease(key, token, at + lockMs);
      return { status: "claimed", token };
    },
    async extend(key, token, { lockMs }) {
      const at = now();
      if (!holds(key, token, at)) return false;
      leases.delete(key);
      completed.delete(key);
      if (size() >= maxKeys) makeRoom(at);
      setLease(key, token, at + lockMs);
      return true;
    },
    async complete(key, token, { ttlMs }) {
      const at = now();
      if (!holds(key, token, at)) return false;
      leases.delete(key);
      completed.delete(key);
      if (size() >= maxKeys) makeRoom(at);
      setCompleted(key, at + ttlMs);
      return true;
    },
    async release(key, token) {
      if (leases.get(key)?.token === token) leases.delete(key);
    },
  };
}
