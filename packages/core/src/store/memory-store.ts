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

/**
 * A claimed key: leased while `token` is set, completed once it is undefined. One record per key,
 * changed in place from lease to completion (one map lookup, no new object); `seq` is its last
 * write, which its place in `leaseOrder` or `completedOrder` names.
 */
interface Claimed {
  token: string | undefined;
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

  /** The oldest place's key, or undefined when empty. */
  headKey(): string | undefined {
    return this.keys[this.head];
  }

  /** The oldest place's sequence number, or `Infinity` when empty (read without a new object). */
  headSeq(): number {
    return this.head < this.seqs.length ? this.seqs[this.head]! : Number.POSITIVE_INFINITY;
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

const COMPLETED: Claim = Object.freeze({ status: "completed" });
const IN_FLIGHT: Claim = Object.freeze({ status: "in-flight" });

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
  const claims = new Map<string, Claimed>();
  // Bindings are a namespace of their own: `bind(k)` and `claim(k)` never meet.
  const bindings = new Map<string, Binding>();
  // So are watermarks (`ordering`): one per resource.
  const watermarks = new Map<string, Watermark>();
  const leaseOrder = new WriteOrder();
  const completedOrder = new WriteOrder();
  const bindingOrder = new WriteOrder();
  const watermarkOrder = new WriteOrder();
  const evictable: ReadonlyArray<[WriteOrder, Map<string, { seq: number }>]> = [
    [completedOrder, claims],
    [bindingOrder, bindings],
    [watermarkOrder, watermarks],
  ];
  let seq = 0;
  const size = () => claims.size + bindings.size + watermarks.size;

  // Expired leases go first (oldest first), then the oldest completed keys, bindings and
  // watermarks (by when they were last written); never a live lease.
  function makeRoom(at: number): void {
    if (size() < maxKeys) return;
    // Runs once per claim when the store is full (the steady state of a busy receiver): no
    // object is made per eviction.
    for (let key = leaseOrder.headKey(); key !== undefined && size() >= maxKeys; key = leaseOrder.headKey()) {
      const lease = claims.get(key);
      if (lease?.seq === leaseOrder.headSeq()) {
        if (lease.expiresAt > at) break;
        claims.delete(key);
      }
      leaseOrder.shift();
    }
    while (size() >= maxKeys) {
      let oldest = -1;
      let oldestSeq = Number.POSITIVE_INFINITY;
      for (let i = 0; i < evictable.length; i++) {
        const headSeq = evictable[i]![0].headSeq();
        if (headSeq < oldestSeq) {
          oldest = i;
          oldestSeq = headSeq;
        }
      }
      if (oldest < 0) break;
      const [order, map] = evictable[oldest]!;
      const key = order.headKey()!;
      if (map.get(key)?.seq === oldestSeq) map.delete(key);
      order.shift();
    }
    if (size() >= maxKeys) {
      throw new WebhookError(
        "store_unavailable",
        `hookgate: memoryStore is full with ${maxKeys} deliveries in flight; raise maxKeys or use a shared store`,
      );
    }
  }

  /** Leases `key` to `token`, in `record` (the key's, changed in place) or a new one. */
  function setLease(key: string, record: Claimed | undefined, token: string, expiresAt: number): void {
    if (record) {
      record.token = token;
      record.expiresAt = expiresAt;
      record.seq = ++seq;
    } else claims.set(key, { token, expiresAt, seq: ++seq });
    leaseOrder.push(key, seq, claims);
  }

  /** Marks `record` (the key's) completed until `expiresAt`. */
  function setCompleted(key: string, record: Claimed, expiresAt: number): void {
    record.token = undefined;
    record.expiresAt = expiresAt;
    record.seq = ++seq;
    completedOrder.push(key, seq, claims);
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
    let record = claims.get(key);
    if (record !== undefined) {
      if (record.expiresAt > at) return record.token === undefined ? COMPLETED : IN_FLIGHT;
      // Expired (a completion past its ttl, a lease past lockMs): the key is free again. Only a
      // full store needs its place: the record is dropped before room is made, and made anew.
      if (size() >= maxKeys) {
        claims.delete(key);
        record = undefined;
      }
    }
    makeRoom(at);
    const token = `${tokenPrefix}.${++tokens}`;
    setLease(key, record, token, at + lockMs);
    return { status: "claimed", token };
  }

  /** Completes `key` (see `IdempotencyStore.complete`), at once. */
  function complete(key: string, token: string, { ttlMs }: { ttlMs: number }): boolean {
    const at = now();
    const record = claims.get(key);
    if (!holds(record, token, at)) return false;
    if (record) setCompleted(key, record, at + ttlMs);
    else {
      // Free again (expired and dropped to make room): completed anew, in a new record.
      makeRoom(at);
      claims.set(key, { token: undefined, expiresAt: at + ttlMs, seq: ++seq });
      completedOrder.push(key, seq, claims);
    }
    return true;
  }

  /** Whether `token` may extend or complete the key of `record`: it holds the lease, or the key is free again. */
  function holds(record: Claimed | undefined, token: string, at: number): boolean {
    if (record === undefined) return true;
    if (record.token === undefined) return record.expiresAt <= at;
    return record.token === token || record.expiresAt <= at;
  }

  return markInProcess(
    {
      get size() {
        return size();
      },
      clear() {
        claims.clear();
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
        const record = claims.get(key);
        if (!holds(record, token, at)) return false;
        if (!record) makeRoom(at);
        setLease(key, record, token, at + lockMs);
        return true;
      },
      async complete(key, token, options) {
        return complete(key, token, options);
      },
      async release(key, token) {
        if (claims.get(key)?.token === token) claims.delete(key);
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
