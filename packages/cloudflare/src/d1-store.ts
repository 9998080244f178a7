import { type IdempotencyStore, WebhookError } from "@hookgate/core";
import { checkOption } from "@hookgate/core/kit";
import type { D1DatabaseBinding } from "./internal/bindings.js";
import { checkD1, tableName } from "./internal/table-name.js";
import { newToken } from "./internal/token.js";

/** Options for {@link d1Store}. */
export interface D1StoreOptions {
  /** The D1 binding, e.g. `env.DB`. */
  database: D1DatabaseBinding;
  /**
   * The table keys live in; bindings (`bind`) live in `<table>_bind`, watermarks (`advance`) in
   * `<table>_order`. @default "hookgate_keys"
   */
  table?: string;
  /** The clock, in ms. @default Date.now */
  now?: () => number;
}

/** A store over D1, with its idempotent table set-up. */
export interface D1Store extends IdempotencyStore {
  /** Creates the tables if missing; every call runs it once first, so calling it is optional. */
  setup(): Promise<void>;
}

interface ClaimRow {
  token: string;
  completed: number;
  expires_at: number;
}

/** How often expired keys are deleted at most, in ms. */
const PRUNE_EVERY_MS = 60_000;

/** The SQL that creates the store's tables. */
function schema(table: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, token TEXT NOT NULL, completed INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
    `CREATE TABLE IF NOT EXISTS ${table}_bind (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
    `CREATE TABLE IF NOT EXISTS ${table}_order (key TEXT PRIMARY KEY, at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
  ];
}

/**
 * The idempotency store in Cloudflare D1 (SQLite at the edge), shared by every Worker bound to the
 * database. Each call is one statement or one `batch` (a transaction), so claims are atomic: D1
 * runs a database's writes one at a time. Keys are stored as JSON strings, exact for any
 * JavaScript string. For claims from many regions with lower latency, see `durableObjectStore`.
 *
 * @example
 * export default { fetch: (request, env) => createReceiver({ scheme, store: d1Store({ database: env.DB }) }).fetch(request) };
 */
export function d1Store(options: D1StoreOptions): D1Store {
  checkOption.object("d1Store", options, true);
  checkD1(options.database, "d1Store");
  const db = options.database;
  const now = checkOption.callback("d1Store option now", options.now) ?? Date.now;
  const t = tableName(options.table ?? "hookgate_keys", "d1Store");
  // A flag, not a shared promise: a promise of D1 I/O made in one request must not be awaited
  // by another (workerd ties I/O to its request), and CREATE … IF NOT EXISTS may run twice.
  let ready = false;
  const setup = async () => {
    if (ready) return;
    await db.batch(schema(t).map((sql) => db.prepare(sql)));
    ready = true;
  };
  let lastPrune = Number.NEGATIVE_INFINITY;
  const pruneIfDue = (at: number) => {
    if (at - lastPrune < PRUNE_EVERY_MS) return [];
    lastPrune = at;
    return [
      db.prepare(`DELETE FROM ${t} WHERE expires_at <= ?1`).bind(at),
      db.prepare(`DELETE FROM ${t}_bind WHERE expires_at <= ?1`).bind(at),
      db.prepare(`DELETE FROM ${t}_order WHERE expires_at <= ?1`).bind(at),
    ];
  };

  // Takes the key for `token` (as `completed` for `ms`) where the token holds it or it is free:
  // absent, expired, or held by this token (memoryStore's rule). Returns whether it did.
  async function take(key: string, token: string, completed: 0 | 1, ms: number): Promise<boolean> {
    await setup();
    const at = now();
    const { results } = await db
      .prepare(
        `INSERT INTO ${t} (key, token, completed, expires_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(key) DO UPDATE SET token = excluded.token, completed = excluded.completed, expires_at = excluded.expires_at
         WHERE ${t}.expires_at <= ?5 OR (${t}.completed = 0 AND ${t}.token = excluded.token)
         RETURNING token`,
      )
      .bind(JSON.stringify(key), token, completed, at + ms, at)
      .all();
    return results.length === 1;
  }

  return {
    setup,
    async claim(key, { lockMs }) {
      await setup();
      const at = now();
      const token = newToken();
      const k = JSON.stringify(key);
      // One transaction: take the key if it is free, then read who holds it.
      const results = await db.batch<ClaimRow>([
        ...pruneIfDue(at),
        db
          .prepare(
            `INSERT INTO ${t} (key, token, completed, expires_at) VALUES (?1, ?2, 0, ?3)
             ON CONFLICT(key) DO UPDATE SET token = excluded.token, completed = 0, expires_at = excluded.expires_at
             WHERE ${t}.expires_at <= ?4`,
          )
          .bind(k, token, at + lockMs, at),
        db.prepare(`SELECT token, completed, expires_at FROM ${t} WHERE key = ?1`).bind(k),
      ]);
      const row = results[results.length - 1]!.results[0];
      if (row?.token === token) return { status: "claimed", token };
      return row?.completed ? { status: "completed" } : { status: "in-flight" };
    },
    extend: (key, token, { lockMs }) => take(key, token, 0, lockMs),
    complete: (key, token, { ttlMs }) => take(key, token, 1, ttlMs),
    async release(key, token) {
      await setup();
      await db
        .prepare(`DELETE FROM ${t} WHERE key = ?1 AND token = ?2 AND completed = 0`)
        .bind(JSON.stringify(key), token)
        .run();
    },
    async bind(key, value, { ttlMs, refresh }) {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new WebhookError(
          "invalid_option",
          `hookgate: d1Store bind ttlMs must be a positive number of ms, got ${String(ttlMs)}`,
        );
      }
      await setup();
      const at = now();
      // A live row keeps its value, and its expiry unless `refresh`; an expired one is replaced.
      const row = await db
        .prepare(
          `INSERT INTO ${t}_bind (key, value, expires_at) VALUES (?1, ?2, ?3)
           ON CONFLICT(key) DO UPDATE SET
             value = CASE WHEN expires_at <= ?4 THEN excluded.value ELSE value END,
             expires_at = CASE WHEN expires_at <= ?4 OR ?5 THEN excluded.expires_at ELSE expires_at END
           RETURNING value`,
        )
        .bind(JSON.stringify(key), JSON.stringify(value), at + ttlMs, at, refresh ? 1 : 0)
        .first<{ value: string }>();
      return JSON.parse(row!.value) as string;
    },
    async watermark(key) {
      await setup();
      const row = await db
        .prepare(`SELECT at FROM ${t}_order WHERE key = ?1 AND expires_at > ?2`)
        .bind(JSON.stringify(key), now())
        .first<{ at: number }>();
      return row?.at;
    },
    async advance(key, at, { ttlMs }) {
      if (!Number.isSafeInteger(at) || !Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new WebhookError(
          "invalid_option",
          `hookgate: d1Store advance needs a whole number of ms and a positive ttlMs, got ${String(at)} and ${String(ttlMs)}`,
        );
      }
      await setup();
      const clock = now();
      // One statement: moves the watermark only forward, or over an expired one.
      const { results } = await db
        .prepare(
          `INSERT INTO ${t}_order (key, at, expires_at) VALUES (?1, ?2, ?3)
           ON CONFLICT(key) DO UPDATE SET at = excluded.at, expires_at = excluded.expires_at
             WHERE ${t}_order.at <= excluded.at OR ${t}_order.expires_at <= ?4
           RETURNING at`,
        )
        .bind(JSON.stringify(key), at, clock + ttlMs, clock)
        .all();
      return results.length === 1;
    },
  };
}
