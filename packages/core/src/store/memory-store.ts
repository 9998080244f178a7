import { WebhookError } from "../errors.js";
import { checkOption } from "../internal/check-option.js";
import type { Claim, IdempotencyStore } from "../store.js";
import { markInProcess } from "./in-process.js";

/** Options for {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most keys kept, claims, bindings and watermarks together. Past it, expired leases go first,
   * then the oldest completed keys, bindings and watermarks; when every key is a live lease, a new claim or binding is
   * refused (503) rather than forgetting one.
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

interface Watermark {
  at: number;
  expiresAt: number;
  seq: number;
}

interface Binding {
  value: string;
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

  /**
   * Appends `key` at `seq`. `live` is the map the places point into: once most places are stale
   * (a key rewritten many times while the store never filled up), they are dropped in one pass,
   * so the order stays proportional to the live keys (amortised O(1)).
   */
  push(key: string, seq: number, live: ReadonlyMap<string, { seq: number }>): void {
    this.keys.push(key);
    this.seqs.push(seq);
    if (this.keys.length - this.head > 2 * live.size + 1024) {
      const keys: string[] = [];
      const seqs: number[] = [];
      for (let i = this.head; i < this.keys.length; i++) {
        if (live.get(this.keys[i]!)?.seq === this.seqs[i]) {
          keys.push(this.keys[i]!);
          seqs.push(this.seqs[i]!);
        }
      }
      this.keys = keys;
      this.seqs = seqs;
      this.head = 0;
    }
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
  /** Keys currently held (leased, completed, bound or watermarked, not yet expired or evicted). */
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
  // Bindings are a namespace of their own: `bind(k)` and `claim(k)` never meet.
  const bindings = new Map<string, Binding>();
  // So are watermarks (`ordering`): one per resource.
  const watermarks = new Map<string, Watermark>();
  const leaseOrder = new WriteOrder();
  const completedOrder = new WriteOrder();
  const bindingOrder = new WriteOrder();
  const watermarkOrder = new WriteOrder();
  const evictable: ReadonlyArray<[WriteOrder, Map<string, { seq: number }>]> = [
    [completedOrder, completed],
    [bindingOrder, bindings],
    [watermarkOrder, watermarks],
  ];
  let seq = 0;
  const size = () => leases.size + completed.size + bindings.size + watermarks.size;

  // Expired leases go first (oldest first), then the oldest completed keys, bindings and
  // watermarks (by when they were last written); never a live lease.
  function makeRoom(at: number): void {
    if (size() < maxKeys) return;
    for (let place = leaseOrder.peek(); place && size() >= maxKeys; place = leaseOrder.peek()) {
      const lease = leases.get(place.key);
      if (lease?.seq === place.seq) {
        if (lease.expiresAt > at) break;
        leases.delete(place.key);
      }
      leaseOrder.shift();
    }
    while (size() >= maxKeys) {
      let oldest: [WriteOrder, Map<string, { seq: number }>, { key: string; seq: number }] | undefined;
      for (const [order, map] of evictable) {
        const place = order.peek();
        if (place && (!oldest || place.seq < oldest[2].seq)) oldest = [order, map, place];
      }
      if (!oldest) break;
      const [order, map, place] = oldest;
      if (map.get(place.key)?.seq === place.seq) map.delete(place.key);
      order.shift();
    }
    if (size() >= maxKeys) {
      throw new WebhookError(
        "store_unavailable",
        `hookgate: memoryStore is full with ${maxKeys} deliveries in flight; raise maxKeys or use a shared store`,
      );
    }
  }

  function setLease(key: string, token: string, expiresAt: number): void {
    leases.set(key, { token, expiresAt, seq: ++seq });
    leaseOrder.push(key, seq, leases);
  }

  function setCompleted(key: string, expiresAt: number): void {
    completed.set(key, { expiresAt, seq: ++seq });
    completedOrder.push(key, seq, completed);
  }

  function setBinding(key: string, value: string, expiresAt: number): void {
    bindings.set(key, { value, expiresAt, seq: ++seq });
    bindingOrder.push(key, seq, bindings);
  }

  function setWatermark(key: string, at: number, expiresAt: number): void {
    watermarks.set(key, { at, expiresAt, seq: ++seq });
    watermarkOrder.push(key, seq, watermarks);
  }

  /** Claims `key` (see `IdempotencyStore.claim`), at once. */
  function claim(key: string, { lockMs }: { lockMs: number }): Claim {
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
  }

  /** Completes `key` (see `IdempotencyStore.complete`), at once. */
  function complete(key: string, token: string, { ttlMs }: { ttlMs: number }): boolean {
    const at = now();
    if (!holds(key, token, at)) return false;
    leases.delete(key);
    completed.delete(key);
    if (size() >= maxKeys) makeRoom(at);
    setCompleted(key, at + ttlMs);
    return true;
  }

  /** Whether `token` may extend or complete `key`: it holds the lease, or the key is free again. */
  function holds(key: string, token: string, at: number): boolean {
    const done = completed.get(key);
    if (done && done.expiresAt > at) return false;
    const lease = leases.get(key);
    return lease === undefined || lease.token === token || lease.expiresAt <= at;
  }

  return markInProcess(
    {
      get size() {
        return size();
      },
      clear() {
        leases.clear();
        completed.clear();
        leaseOrder.clear();
        completedOrder.clear();
        bindings.clear();
        bindingOrder.clear();
        watermarks.clear();
        watermarkOrder.clear();
      },
      async claim(key, options) {
        return claim(key, options);
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
      async complete(key, token, options) {
        return complete(key, token, options);
      },
      async release(key, token) {
        if (leases.get(key)?.token === token) leases.delete(key);
      },
      async bind(key, value, { ttlMs, refresh }) {
        if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
          throw new WebhookError(
            "invalid_option",
            `hookgate: memoryStore bind ttlMs must be a positive number of ms, got ${String(ttlMs)}`,
          );
        }
        const at = now();
        const bound = bindings.get(key);
        if (bound && bound.expiresAt > at) {
          if (refresh === true) {
            bindings.delete(key);
            setBinding(key, bound.value, at + ttlMs);
          }
          return bound.value;
        }
        bindings.delete(key);
        makeRoom(at);
        setBinding(key, value, at + ttlMs);
        return value;
      },
      async watermark(key) {
        const mark = watermarks.get(key);
        return mark && mark.expiresAt > now() ? mark.at : undefined;
      },
      async advance(key, at, { ttlMs }) {
        if (!Number.isFinite(at) || !Number.isFinite(ttlMs) || ttlMs <= 0) {
          throw new WebhookError(
            "invalid_option",
            `hookgate: memoryStore advance needs a finite time and a positive ttlMs, got ${String(at)} and ${String(ttlMs)}`,
          );
        }
        const clock = now();
        const mark = watermarks.get(key);
        if (mark && mark.expiresAt > clock && mark.at > at) return false;
        watermarks.delete(key);
        makeRoom(clock);
        setWatermark(key, at, clock + ttlMs);
        return true;
      },
    },
    { claim, complete },
  );
}
