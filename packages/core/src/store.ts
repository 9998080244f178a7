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
  /**
   * Binds `key` to `value` if it has no value yet, and returns the value bound to it: `value` itself
   * when this call bound it, or the earlier one (first writer wins; atomic across processes sharing
   * the backend). The binding lives `ttlMs` from the call that created it; a later call that finds it
   * leaves its value and, with `refresh: true`, extends its life to `ttlMs` from now.
   *
   * Keys and values are any strings. Bindings live apart from claims: `bind(k, …)` never sees or
   * changes the claim of the same string `k`.
   */
  bind(key: string, value: string, options: { ttlMs: number; refresh?: boolean }): Promise<string>;
  /**
   * The resource's watermark: the event time (ms since the epoch) of the newest event applied to
   * it, or `undefined` if none was within its `ttlMs`. What the receiver's `ordering` reads before
   * running a handler. Watermarks live apart from claims and bindings of the same key string.
   */
  watermark?(key: string): Promise<number | undefined>;
  /**
   * Moves the resource's watermark to `at` (a whole number of ms since the epoch) if it has none or `at >= ` the current one, in one
   * atomic step across every process sharing the store, and keeps it for `ttlMs` from now; `true`
   * when it moved (or stayed equal), `false` when a newer event was applied first (the watermark
   * never goes back). Stores without `watermark` and `advance` cannot back `ordering`.
   */
  advance?(key: string, at: number, options: { ttlMs: number }): Promise<boolean>;
}
