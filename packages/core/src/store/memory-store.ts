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
 * Keys and what is kept for each (a lease's token, a binding's value, a watermark's time), with
 * its expiry and last write, in slots of parallel arrays rather than an object per key. A busy
 * store holds up to `maxKeys` keys, and what each delivery leaves in it is promoted to the old
 * generation and traced by every full GC: with a record per key and its boxed expiry, the store
 * took 135 bytes per key besides the key string; here 104 (`bench/micro/store-memory.ts`), and
 * no object at all: the map holds a slot number, the expiries are unboxed doubles, and the
 * eviction orders are rings of numbers ({@link WriteOrder}), so the key string is all a delivery
 * leaves behind (bench/README.md, rounds 6 and 7). A slot freed by a delete is reused, so the
 * arrays stay within the most keys held at once.
 */
class Slots<V> {
  private readonly index = new Map<string, number>();
  private keys: (string | undefined)[] = [];
  private values: (V | undefined)[] = [];
  private expiries: number[] = [];
  /** The slot's last write (a store-wide sequence number), or -1 while it is free. */
  private seqs: number[] = [];
  private free: number[] = [];

  get size(): number {
    return this.index.size;
  }

  slotOf(key: string): number | undefined {
    return this.index.get(key);
  }

  valueAt(slot: number): V | undefined {
    return this.values[slot];
  }

  expiresAt(slot: number): number {
    return this.expiries[slot]!;
  }

  seqAt(slot: number): number {
    return this.seqs[slot]!;
  }

  /** Writes `key`'s value and expiry at `seq`, in `slot` (the key's own) or a new one; returns the slot. */
  write(key: string, slot: number | undefined, value: V | undefined, expiresAt: number, seq: number): number {
    if (slot === undefined) {
      // A freed slot, or the next one past the end (a write at an array's length appends).
      slot = this.free.pop() ?? this.keys.length;
      this.keys[slot] = key;
      this.index.set(key, slot);
    }
    this.values[slot] = value;
    this.expiries[slot] = expiresAt;
    this.seqs[slot] = seq;
    return slot;
  }

  delete(slot: number): void {
    // Freed once only: a slot on the free list twice would be given to two keys.
    if (this.seqs[slot] === -1) return;
    this.index.delete(this.keys[slot]!);
    this.keys[slot] = undefined;
    this.values[slot] = undefined;
    this.seqs[slot] = -1;
    this.free.push(slot);
  }

  clear(): void {
    this.index.clear();
    this.keys = [];
    this.values = [];
    this.expiries = [];
    this.seqs = [];
    this.free = [];
  }
}

/**
 * Slots in the order they were last written, for eviction from the oldest end. A slot written
 * again is appended again; its older place is recognised as stale by its sequence number, and so
 * is the place of a slot freed and reused for another key. (A `Map` iterated from the front after
 * many front deletions skips every deleted slot each time.)
 *
 * A ring over typed arrays: nothing for the GC to trace, and nothing allocated per write. Arrays
 * pushed to and re-sliced made young copies that lived long enough to be promoted (~65 bytes per
 * delivery; bench/README.md, round 7). Sequence numbers are doubles, exact to 2^53 writes, where
 * 32 bits would wrap after days of a busy receiver.
 */
class WriteOrder {
  private slots = new Int32Array(16);
  private seqs = new Float64Array(16);
  /** Index of the oldest place, and how many places there are. */
  private head = 0;
  private length = 0;

  /**
   * Appends `slot` at `seq`. `live` is the table the slots are in: once most places are stale
   * (a key rewritten many times while the store never filled up), they are dropped in one pass,
   * so the order stays proportional to the live keys (amortised O(1)).
   */
  push(slot: number, seq: number, live: Slots<unknown>): void {
    if (this.length > 2 * live.size + 1024) this.keepOnly(live);
    if (this.length === this.slots.length) this.resize(this.slots.length * 2);
    const at = (this.head + this.length) & (this.slots.length - 1);
    this.slots[at] = slot;
    this.seqs[at] = seq;
    this.length++;
  }

  /** The oldest place's slot, or undefined when empty. */
  headSlot(): number | undefined {
    return this.length === 0 ? undefined : this.slots[this.head];
  }

  /** The oldest place's sequence number, or `Infinity` when empty. */
  headSeq(): number {
    return this.length === 0 ? Number.POSITIVE_INFINITY : this.seqs[this.head]!;
  }

  shift(): void {
    if (this.length === 0) return;
    this.head = (this.head + 1) & (this.slots.length - 1);
    this.length--;
  }

  clear(): void {
    this.slots = new Int32Array(16);
    this.seqs = new Float64Array(16);
    this.head = 0;
    this.length = 0;
  }

  /** Drops the stale places, keeping the live ones in order (and a ring at most twice their size). */
  private keepOnly(live: Slots<unknown>): void {
    const mask = this.slots.length - 1;
    let kept = 0;
    for (let i = 0; i < this.length; i++) {
      const from = (this.head + i) & mask;
      const slot = this.slots[from]!;
      const seq = this.seqs[from]!;
      if (live.seqAt(slot) !== seq) continue;
      // Written in place, behind the reading position: `kept` never passes `i`.
      const to = (this.head + kept) & mask;
      this.slots[to] = slot;
      this.seqs[to] = seq;
      kept++;
    }
    this.length = kept;
    let size = 16;
    while (size < 2 * kept) size *= 2;
    if (size < this.slots.length) this.resize(size);
  }

  /** Moves the places, oldest first, into rings of `size` (a power of two, at least the length). */
  private resize(size: number): void {
    const slots = new Int32Array(size);
    const seqs = new Float64Array(size);
    const mask = this.slots.length - 1;
    for (let i = 0; i < this.length; i++) {
      const from = (this.head + i) & mask;
      slots[i] = this.slots[from]!;
      seqs[i] = this.seqs[from]!;
    }
    this.slots = slots;
    this.seqs = seqs;
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
  // A claim's value is its lease's token, undefined once completed.
  const claims = new Slots<string>();
  // Bindings are a namespace of their own: `bind(k)` and `claim(k)` never meet.
  const bindings = new Slots<string>();
  // So are watermarks (`ordering`): one per resource.
  const watermarks = new Slots<number>();
  const leaseOrder = new WriteOrder();
  const completedOrder = new WriteOrder();
  const bindingOrder = new WriteOrder();
  const watermarkOrder = new WriteOrder();
  const evictable: ReadonlyArray<[WriteOrder, Slots<unknown>]> = [
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
    for (
      let slot = leaseOrder.headSlot();
      slot !== undefined && size() >= maxKeys;
      slot = leaseOrder.headSlot()
    ) {
      if (claims.seqAt(slot) === leaseOrder.headSeq()) {
        if (claims.expiresAt(slot) > at) break;
        claims.delete(slot);
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
      const [order, table] = evictable[oldest]!;
      const slot = order.headSlot()!;
      if (table.seqAt(slot) === oldestSeq) table.delete(slot);
      order.shift();
    }
    if (size() >= maxKeys) {
      throw new WebhookError(
        "store_unavailable",
        `hookgate: memoryStore is full with ${maxKeys} deliveries in flight; raise maxKeys or use a shared store`,
      );
    }
  }

  /** Leases `key` (in `slot`, its own, or a new one) to `token`. */
  function setLease(key: string, slot: number | undefined, token: string, expiresAt: number): void {
    leaseOrder.push(claims.write(key, slot, token, expiresAt, ++seq), seq, claims);
  }

  /** Marks `key` (in `slot`, its own, or a new one) completed until `expiresAt`. */
  function setCompleted(key: string, slot: number | undefined, expiresAt: number): void {
    completedOrder.push(claims.write(key, slot, undefined, expiresAt, ++seq), seq, claims);
  }

  function setBinding(key: string, slot: number | undefined, value: string, expiresAt: number): void {
    bindingOrder.push(bindings.write(key, slot, value, expiresAt, ++seq), seq, bindings);
  }

  function setWatermark(key: string, at: number, expiresAt: number): void {
    watermarkOrder.push(watermarks.write(key, undefined, at, expiresAt, ++seq), seq, watermarks);
  }

  /** Claims `key` (see `IdempotencyStore.claim`), at once. */
  function claim(key: string, { lockMs }: { lockMs: number }): Claim {
    const at = now();
    let slot = claims.slotOf(key);
    if (slot !== undefined) {
      if (claims.expiresAt(slot) > at) return claims.valueAt(slot) === undefined ? COMPLETED : IN_FLIGHT;
      // Expired (a completion past its ttl, a lease past lockMs): the key is free again. Only a
      // full store needs its place: it is freed before room is made, and taken anew.
      if (size() >= maxKeys) {
        claims.delete(slot);
        slot = undefined;
      }
    }
    makeRoom(at);
    const token = `${tokenPrefix}.${++tokens}`;
    setLease(key, slot, token, at + lockMs);
    return { status: "claimed", token };
  }

  /** Completes `key` (see `IdempotencyStore.complete`), at once. */
  function complete(key: string, token: string, { ttlMs }: { ttlMs: number }): boolean {
    const at = now();
    const slot = claims.slotOf(key);
    if (!holds(slot, token, at)) return false;
    // Free again (expired and dropped to make room): completed anew, in a new slot.
    if (slot === undefined) makeRoom(at);
    setCompleted(key, slot, at + ttlMs);
    return true;
  }

  /** Whether `token` may extend or complete the key in `slot`: it holds the lease, or the key is free again. */
  function holds(slot: number | undefined, token: string, at: number): boolean {
    if (slot === undefined) return true;
    const held = claims.valueAt(slot);
    if (held === undefined) return claims.expiresAt(slot) <= at;
    return held === token || claims.expiresAt(slot) <= at;
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
        const slot = claims.slotOf(key);
        if (!holds(slot, token, at)) return false;
        if (slot === undefined) makeRoom(at);
        setLease(key, slot, token, at + lockMs);
        return true;
      },
      async complete(key, token, options) {
        return complete(key, token, options);
      },
      async release(key, token) {
        const slot = claims.slotOf(key);
        if (slot !== undefined && claims.valueAt(slot) === token) claims.delete(slot);
      },
      async bind(key, value, { ttlMs, refresh }) {
        if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
          throw new WebhookError(
            "invalid_option",
            `hookgate: memoryStore bind ttlMs must be a positive number of ms, got ${String(ttlMs)}`,
          );
        }
        const at = now();
        const slot = bindings.slotOf(key);
        if (slot !== undefined && bindings.expiresAt(slot) > at) {
          const bound = bindings.valueAt(slot)!;
          if (refresh === true) setBinding(key, slot, bound, at + ttlMs);
          return bound;
        }
        if (slot !== undefined) bindings.delete(slot);
        makeRoom(at);
        setBinding(key, undefined, value, at + ttlMs);
        return value;
      },
      async watermark(key) {
        const slot = watermarks.slotOf(key);
        return slot !== undefined && watermarks.expiresAt(slot) > now()
          ? watermarks.valueAt(slot)
          : undefined;
      },
      async advance(key, at, { ttlMs }) {
        if (!Number.isFinite(at) || !Number.isFinite(ttlMs) || ttlMs <= 0) {
          throw new WebhookError(
            "invalid_option",
            `hookgate: memoryStore advance needs a finite time and a positive ttlMs, got ${String(at)} and ${String(ttlMs)}`,
          );
        }
        const clock = now();
        const slot = watermarks.slotOf(key);
        if (slot !== undefined && watermarks.expiresAt(slot) > clock && watermarks.valueAt(slot)! > at)
          return false;
        if (slot !== undefined) watermarks.delete(slot);
        makeRoom(clock);
        setWatermark(key, at, clock + ttlMs);
        return true;
      },
    },
    { claim, complete },
  );
}
